import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { OcppSubprotocol, Role } from '@ocpp/runtime';
import type { CommandSpec, ParsedArgs } from '../cli/args.js';
import { CliError, usageError } from '../cli/errors.js';
import type { Io } from '../cli/io.js';
import { findFrame } from '../validate/lines.js';
import { FrameValidator, type FrameVerdict } from '../validate/verdict.js';

export const validateSpec = {
  name: 'validate',
  summary: 'check OCPP-J frames: a verdict per frame with the CALLERROR code and the field path',
  description:
    'Reads frames, one per line, from FILE or standard input (-): bare frames as JSON, JSON log ' +
    'records with a "frame" field (ocpp csms --log-format json), or log lines with a frame in ' +
    'them. Each frame gets the verdict its receiver would give: accepted, or the CALLERROR code ' +
    'in the spelling of the version (FormationViolation in 1.6, FormatViolation in 2.x, ...) with ' +
    'the JSON path of the offending field. CALLRESULTs are checked against the response schema ' +
    'of the CALL they answer when that CALL is in the input. Exits 1 when any frame is invalid.',
  positionals: { usage: '[FILE|-]', max: 1 },
  options: {
    protocol: {
      type: 'choice',
      choices: ['auto', 'ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'],
      default: 'auto',
      description:
        'version the frames were sent in; auto reads it from each line (ocpp csms logs name it)',
    },
    from: {
      type: 'choice',
      choices: ['auto', 'station', 'csms'],
      default: 'auto',
      description:
        'who sent the frames, to check each action is sent in its direction; auto reads it from log lines and otherwise skips the check',
    },
    json: { type: 'boolean', description: 'print one JSON document instead of text' },
    quiet: { type: 'boolean', description: 'print only invalid frames and the total' },
  },
  examples: [
    'ocpp validate --protocol ocpp2.0.1 frames.jsonl',
    'echo \'[2,"1","Heartbeat",{"x":1}]\' | ocpp validate --protocol ocpp1.6 -',
    'ocpp csms --log-format json | ocpp validate -',
  ],
} as const satisfies CommandSpec;

/** One judged line. */
interface Judged extends FrameVerdict {
  readonly line: number;
  readonly frame: string;
}

function describe(v: Judged): string {
  const what = [v.kind, v.action].filter((s) => s !== undefined).join(' ');
  if (v.valid) {
    return `line ${v.line}  ${v.protocol}  ${what}: ok${v.checked ? '' : ` (${v.reason})`}`;
  }
  const where = v.path === undefined ? '' : ` at ${v.path}`;
  const answer =
    v.reply === undefined
      ? ''
      : v.reply === 'CALLRESULTERROR'
        ? ' → CALLRESULTERROR'
        : ' → CALLERROR';
  return `line ${v.line}  ${v.protocol}  ${what}: ${v.code ?? 'invalid'}${where}: ${v.reason}${answer}`;
}

async function openInput(args: ParsedArgs<typeof validateSpec.options>, io: Io) {
  const source = args.positionals[0];
  if (source === undefined || source === '-') {
    if (source === undefined && (io.stdin as { isTTY?: boolean }).isTTY === true) {
      throw usageError('give a FILE, or - to read frames from standard input');
    }
    return { name: 'standard input', stream: io.stdin };
  }
  const path = resolve(io.cwd, source);
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new CliError(`${source} is a directory, not a file of frames`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `cannot read ${source}: no such file` : `cannot read ${source}: ${code}`,
    );
  }
  return { name: source, stream: createReadStream(path, { encoding: 'utf8' }) };
}

/** Why frames were not checked: answers to CALLs not in the input, lines without a version. */
function uncheckedWhy(unchecked: number, versionless: number): string {
  const answers = unchecked - versionless;
  const parts: string[] = [];
  if (answers > 0)
    parts.push(
      answers === 1 ? 'an answer to a CALL not in the input' : 'answers to CALLs not in the input',
    );
  if (versionless > 0) parts.push(`${versionless} without a version`);
  return parts.join('; ');
}

/** `ocpp validate`: prints a verdict per frame; exit 1 when any frame is invalid. */
export async function runValidate(
  args: ParsedArgs<typeof validateSpec.options>,
  io: Io,
): Promise<number> {
  const { options } = args;
  const input = await openInput(args, io);
  const fixedFrom: Role | undefined = options.from === 'auto' ? undefined : options.from;
  const validator = new FrameValidator(fixedFrom === undefined ? {} : { from: fixedFrom });
  const judged: Judged[] = [];
  let valid = 0;
  let invalid = 0;
  let unchecked = 0;
  /** Of `unchecked`: frames on lines that do not say their version (and no --protocol). */
  let versionless = 0;
  /** Lines without a frame, blank ones included. */
  let skipped = 0;
  let lineNo = 0;
  const lines = createInterface({ input: input.stream, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lineNo++;
    const found = findFrame(line);
    if (found === undefined) {
      skipped++;
      continue;
    }
    const protocol: OcppSubprotocol | undefined =
      options.protocol === 'auto' ? found.protocol : options.protocol;
    let verdict: Judged;
    if (protocol === undefined) {
      verdict = {
        line: lineNo,
        frame: found.text,
        protocol: 'ocpp2.0.1',
        kind: 'unreadable',
        valid: true,
        checked: false,
        reason: 'the line does not say which OCPP version it is: pass --protocol',
      };
      // Not judged, so neither valid nor invalid: counted, and told once at the end.
      unchecked++;
      versionless++;
      if (options.json) judged.push(verdict);
      else if (!options.quiet)
        io.stdout.write(`line ${lineNo}  ?  not checked: ${verdict.reason}\n`);
      continue;
    }
    const from = fixedFrom ?? found.from;
    verdict = {
      line: lineNo,
      frame: found.text,
      ...validator.judge(found.text, protocol, {
        ...(from === undefined ? {} : { from }),
        ...(found.identity === undefined ? {} : { identity: found.identity }),
      }),
    };
    if (!verdict.valid) invalid++;
    else if (!verdict.checked) unchecked++;
    else valid++;
    if (options.json) judged.push(verdict);
    else if (!options.quiet || !verdict.valid) io.stdout.write(`${describe(verdict)}\n`);
  }
  const total = valid + invalid + unchecked;
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ source: input.name, frames: total, valid, invalid, unchecked, uncheckedWithoutVersion: versionless, linesWithoutFrame: skipped, verdicts: judged }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(
      `${total} frame${total === 1 ? '' : 's'}: ${valid} valid, ${invalid} invalid` +
        (unchecked > 0
          ? `, ${unchecked} not checked (${uncheckedWhy(unchecked, versionless)})`
          : '') +
        (skipped > 0
          ? `; ${skipped} line${skipped === 1 ? '' : 's'} without a frame skipped`
          : '') +
        '\n',
    );
  }
  if (total === 0) {
    io.stderr.write(`ocpp validate: no frames found in ${input.name}\n`);
    return 1;
  }
  if (versionless > 0) {
    io.stderr.write(
      `ocpp validate: ${versionless} frame${versionless === 1 ? '' : 's'} not checked: the line${versionless === 1 ? ' does' : 's do'} not say which OCPP version; pass --protocol ocpp1.6|ocpp2.0.1|ocpp2.1\n`,
    );
    // Nothing judged at all is no pass.
    if (valid + invalid === 0) return 1;
  }
  return invalid > 0 ? 1 : 0;
}
