import { type CommandSpec, formatHelp, type OptionSpec, parseArgs } from './cli/args.js';
import { CliError, messageOf } from './cli/errors.js';
import type { Io } from './cli/io.js';
import { toolVersion } from './cli/version.js';
import { csmsSpec, runCsms } from './commands/csms.js';
import { demoSpec, runDemo } from './commands/demo.js';
import { runSimulate, simulateSpec } from './commands/simulate.js';
import { runValidate, validateSpec } from './commands/validate.js';

/** A subcommand: its spec (options, help) and what it does. */
interface Command {
  readonly spec: CommandSpec;
  // biome-ignore lint/suspicious/noExplicitAny: each command narrows its own parsed options
  readonly run: (args: any, io: Io) => Promise<number>;
}

function command<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  run: (args: ReturnType<typeof parseArgs<O>>, io: Io) => Promise<number>,
): Command {
  return { spec, run };
}

const COMMANDS: readonly Command[] = [
  command(demoSpec, runDemo),
  command(simulateSpec, runSimulate),
  command(csmsSpec, runCsms),
  command(validateSpec, runValidate),
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'Usage: ocpp <command> [options]',
    '',
    'The OCPP SDK command line: simulate charging stations against a CSMS, run a CSMS to test',
    'chargers against, and validate OCPP-J frames. OCPP 1.6, 2.0.1 and 2.1.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (ocpp <command> --help for a command)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/**
 * Runs the `ocpp` command line (`argv` without the node and script paths) and resolves with the
 * exit code. Errors the user can fix print one line on stderr: `ocpp <command>: <what is wrong>`.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const cmd = COMMANDS.find((c) => c.spec.name === topic);
    if (topic !== undefined && cmd === undefined) {
      io.stderr.write(`ocpp: unknown command "${topic}" (see ocpp --help)\n`);
      return 2;
    }
    io.stdout.write(cmd === undefined ? mainHelp() : formatHelp(cmd.spec));
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout.write(`${toolVersion()}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.spec.name === name);
  if (cmd === undefined) {
    const hint = name.startsWith('-') ? 'unknown option' : 'unknown command';
    io.stderr.write(
      `ocpp: ${hint} "${name}" (commands: ${COMMANDS.map((c) => c.spec.name).join(', ')})\n`,
    );
    return 2;
  }
  try {
    const args = parseArgs(cmd.spec, rest);
    if (args.help) {
      io.stdout.write(formatHelp(cmd.spec));
      return 0;
    }
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(
        `ocpp ${name}: ${e.message}${e.exitCode === 2 ? ` (see ocpp ${name} --help)` : ''}\n`,
      );
      return e.exitCode;
    }
    io.stderr.write(`ocpp ${name}: ${messageOf(e)}\n`);
    if (io.env.OCPP_DEBUG !== undefined && e instanceof Error && e.stack !== undefined) {
      io.stderr.write(`${e.stack}\n`);
    }
    return 1;
  }
}
