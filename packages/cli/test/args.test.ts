import { describe, expect, it } from 'vitest';
import { type CommandSpec, formatHelp, parseArgs } from '../src/cli/args.js';
import { CliError } from '../src/cli/errors.js';

const spec = {
  name: 'try',
  summary: 'a test command',
  description: 'A command to test the parser.',
  positionals: { usage: '[FILE]', max: 1 },
  options: {
    url: { type: 'string', description: 'where', placeholder: 'URL', required: true },
    stations: { type: 'number', description: 'how many', integer: true, min: 1, default: 10 },
    protocol: {
      type: 'choice',
      choices: ['ocpp1.6', 'ocpp2.0.1'],
      default: 'ocpp1.6',
      description: 'version',
    },
    protocols: {
      type: 'list',
      choices: ['a', 'b', 'c'],
      default: ['a', 'b'],
      description: 'versions',
    },
    json: { type: 'boolean', description: 'machine output' },
  },
} as const satisfies CommandSpec;

function failure(argv: string[]): CliError {
  try {
    parseArgs(spec, argv);
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error('parseArgs did not fail');
}

describe('parseArgs', () => {
  it('parses values, flags, defaults and positionals with their types', () => {
    const a = parseArgs(spec, ['--url', 'ws://x', '--stations=3', '--json', 'file.txt']);
    expect(a.options).toEqual({
      url: 'ws://x',
      stations: 3,
      protocol: 'ocpp1.6',
      protocols: ['a', 'b'],
      json: true,
    });
    expect(a.positionals).toEqual(['file.txt']);
    expect([...a.given].sort()).toEqual(['json', 'stations', 'url']);
    expect(parseArgs(spec, ['--url', 'u', '--protocols', 'c,a,c']).options.protocols).toEqual([
      'c',
      'a',
    ]);
  });

  it('names the unknown option and suggests the nearest one', () => {
    const e = failure(['--url', 'u', '--station', '3']);
    expect(e.message).toBe('unknown option --station (did you mean --stations?)');
    expect(e.exitCode).toBe(2);
    expect(failure(['--url', 'u', '--zzzzzz']).message).toBe('unknown option --zzzzzz');
  });

  it('reports a missing value, a malformed number, a wrong choice, a missing required option', () => {
    expect(failure(['--url']).message).toBe('option --url needs a value (URL)');
    expect(failure(['--url', '--json']).message).toBe('option --url needs a value (URL)');
    expect(failure(['--url', 'u', '--stations', 'many']).message).toBe(
      'option --stations expects a whole number ≥ 1, got "many"',
    );
    expect(failure(['--url', 'u', '--stations', '0']).message).toContain('≥ 1');
    expect(failure(['--url', 'u', '--protocol', 'ocpp3']).message).toBe(
      'option --protocol must be one of ocpp1.6, ocpp2.0.1, got "ocpp3"',
    );
    expect(failure(['--url', 'u', '--protocols', 'a,z']).message).toContain(
      '"z" is not one of a, b, c',
    );
    expect(failure([]).message).toBe('option --url is required');
    expect(failure(['--url', 'u', 'a', 'b']).message).toContain('unexpected argument "b"');
    expect(failure(['--url', 'u', '--url', 'v']).message).toBe('option --url is given twice');
    expect(failure(['--url', 'u', '--json=yes']).message).toBe(
      'option --json is a flag and takes no value',
    );
  });

  it('lets --help through without required options', () => {
    expect(parseArgs(spec, ['--help']).help).toBe(true);
  });

  it('documents every option with its default in --help', () => {
    const help = formatHelp(spec);
    expect(help).toContain('Usage: ocpp try [options] [FILE]');
    expect(help).toMatch(/--stations <value>\s+how many \[default: 10\]/);
    expect(help).toMatch(/--url <URL>\s+where \(required\)/);
    expect(help).toContain('--protocols <a,b,c>');
    expect(help).toContain('[default: a,b]');
  });
});
