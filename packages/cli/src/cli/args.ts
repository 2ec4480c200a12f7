import { usageError } from './errors.js';

/** A text option (`--url ws://...`). */
export interface StringOption {
  readonly type: 'string';
  readonly description: string;
  /** Shown in help as `--name <placeholder>`. */
  readonly placeholder?: string;
  readonly default?: string;
  readonly required?: boolean;
  /** May be given several times; the value is then the list of them, in order (`[]` if none). */
  readonly repeatable?: true;
}

/** A numeric option (`--stations 300`). */
export interface NumberOption {
  readonly type: 'number';
  readonly description: string;
  readonly placeholder?: string;
  readonly default?: number;
  readonly required?: boolean;
  /** Whole numbers only. */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** A flag (`--json`); present means true. */
export interface BooleanOption {
  readonly type: 'boolean';
  readonly description: string;
}

/** One value of a fixed set (`--protocol ocpp2.0.1`). */
export interface ChoiceOption<C extends string = string> {
  readonly type: 'choice';
  readonly description: string;
  readonly choices: readonly C[];
  readonly default?: C;
  readonly required?: boolean;
}

/** A comma-separated list of values of a fixed set (`--protocols ocpp2.1,ocpp1.6`). */
export interface ListOption<C extends string = string> {
  readonly type: 'list';
  readonly description: string;
  readonly choices: readonly C[];
  readonly default?: readonly C[];
}

/** Any option. */
export type OptionSpec = StringOption | NumberOption | BooleanOption | ChoiceOption | ListOption;

/** A command: its options, its positional arguments and its help text. */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  readonly name: string;
  /** One line for `ocpp --help`. */
  readonly summary: string;
  /** A paragraph for `ocpp <command> --help`. */
  readonly description: string;
  readonly options: O;
  /** Positional arguments, e.g. `[FILE|-]`; none when absent. */
  readonly positionals?: { readonly usage: string; readonly max: number };
  readonly examples?: readonly string[];
}

type ValueOf<S extends OptionSpec> = S extends BooleanOption
  ? boolean
  : S extends NumberOption
    ? S extends { readonly default: number } | { readonly required: true }
      ? number
      : number | undefined
    : S extends ChoiceOption<infer C>
      ? S extends { readonly default: string } | { readonly required: true }
        ? C
        : C | undefined
      : S extends ListOption<infer C>
        ? C[]
        : S extends { readonly repeatable: true }
          ? string[]
          : S extends { readonly default: string } | { readonly required: true }
            ? string
            : string | undefined;

/** The parsed options of a command, typed from its spec. */
export type ParsedOptions<O extends Record<string, OptionSpec>> = {
  -readonly [K in keyof O]: ValueOf<O[K]>;
};

/** What {@link parseArgs} returns: the options, the positionals, and whether help was asked for. */
export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  readonly options: ParsedOptions<O>;
  readonly positionals: string[];
  readonly help: boolean;
  /** Options given on the command line (as opposed to defaults). */
  readonly given: ReadonlySet<keyof O & string>;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function suggestion(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean --${best}?)`
    : '';
}

function convert(name: string, spec: OptionSpec, raw: string): unknown {
  switch (spec.type) {
    case 'string':
      if (raw === '') throw usageError(`option --${name} needs a non-empty value`);
      return raw;
    case 'number': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      const kind = spec.integer === true ? 'a whole number' : 'a number';
      const bounds =
        spec.min !== undefined && spec.max !== undefined
          ? ` from ${spec.min} to ${spec.max}`
          : spec.min !== undefined
            ? ` ≥ ${spec.min}`
            : spec.max !== undefined
              ? ` ≤ ${spec.max}`
              : '';
      if (
        !Number.isFinite(n) ||
        (spec.integer === true && !Number.isInteger(n)) ||
        (spec.min !== undefined && n < spec.min) ||
        (spec.max !== undefined && n > spec.max)
      ) {
        throw usageError(`option --${name} expects ${kind}${bounds}, got "${raw}"`);
      }
      return n;
    }
    case 'choice':
      if (!spec.choices.includes(raw)) {
        throw usageError(
          `option --${name} must be one of ${spec.choices.join(', ')}, got "${raw}"`,
        );
      }
      return raw;
    case 'list': {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (items.length === 0) throw usageError(`option --${name} needs at least one value`);
      for (const item of items) {
        if (!spec.choices.includes(item)) {
          throw usageError(`option --${name}: "${item}" is not one of ${spec.choices.join(', ')}`);
        }
      }
      return [...new Set(items)];
    }
    case 'boolean':
      return true;
  }
}

/**
 * Parses `argv` (the words after the command name) against a command's spec. Accepts
 * `--name value`, `--name=value`, flags, `--` to end the options, and `-` as a positional. Every
 * mistake is a usage error with one clear line: an unknown option (with the nearest known one),
 * a missing or malformed value, a missing required option, too many positionals.
 */
export function parseArgs<O extends Record<string, OptionSpec>>(
  command: CommandSpec<O>,
  argv: readonly string[],
): ParsedArgs<O> {
  const specs = command.options as Record<string, OptionSpec>;
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (onlyPositionals || word === '-' || !word.startsWith('-')) {
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      onlyPositionals = true;
      continue;
    }
    if (word === '-h' || word === '--help') {
      help = true;
      continue;
    }
    if (!word.startsWith('--')) {
      throw usageError(`unknown option ${word}${suggestion(word.slice(1), Object.keys(specs))}`);
    }
    const eq = word.indexOf('=');
    const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) {
      throw usageError(`unknown option --${name}${suggestion(name, Object.keys(specs))}`);
    }
    const repeatable = spec.type === 'string' && spec.repeatable === true;
    if (given.has(name) && !repeatable) throw usageError(`option --${name} is given twice`);
    given.add(name);
    if (spec.type === 'boolean') {
      if (eq !== -1) throw usageError(`option --${name} is a flag and takes no value`);
      values[name] = true;
      continue;
    }
    let raw: string;
    if (eq !== -1) {
      raw = word.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw usageError(`option --${name} needs a value${placeholderHint(spec)}`);
      }
      raw = next;
      i++;
    }
    const value = convert(name, spec, raw);
    if (repeatable) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  const max = command.positionals?.max ?? 0;
  if (!help && positionals.length > max) {
    throw usageError(
      max === 0
        ? `unexpected argument "${positionals[0]}"`
        : `unexpected argument "${positionals[max]}" (at most ${max})`,
    );
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (Object.hasOwn(values, name)) continue;
    if (spec.type === 'boolean') values[name] = false;
    else if (spec.type === 'list') values[name] = [...(spec.default ?? [])];
    else if (spec.type === 'string' && spec.repeatable === true) values[name] = [];
    else if (spec.default !== undefined) values[name] = spec.default;
    else if (spec.required === true && !help) throw usageError(`option --${name} is required`);
  }
  return {
    options: values as ParsedOptions<O>,
    positionals,
    help,
    given: given as ReadonlySet<keyof O & string>,
  };
}

function placeholderHint(spec: OptionSpec): string {
  if (spec.type === 'choice') return ` (one of ${spec.choices.join(', ')})`;
  if (spec.type === 'list') return ` (comma-separated: ${spec.choices.join(', ')})`;
  if (spec.type === 'string' || spec.type === 'number')
    return spec.placeholder === undefined ? '' : ` (${spec.placeholder})`;
  return '';
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

function defaultText(spec: OptionSpec): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return undefined;
    case 'list':
      return spec.default === undefined ? undefined : spec.default.join(',');
    default:
      return spec.default === undefined ? undefined : String(spec.default);
  }
}

/** The `--help` text of a command: usage, description, every option with its default. */
export function formatHelp(command: CommandSpec, program = 'ocpp'): string {
  const out: string[] = [];
  const positional = command.positionals === undefined ? '' : ` ${command.positionals.usage}`;
  out.push(`Usage: ${program} ${command.name} [options]${positional}`, '');
  out.push(...wrap(command.description, 92, ''), '');
  out.push('Options:');
  const rows: [string, string][] = [];
  for (const [name, spec] of Object.entries(command.options)) {
    let left = `--${name}`;
    if (spec.type === 'string' || spec.type === 'number')
      left += ` <${spec.placeholder ?? 'value'}>`;
    else if (spec.type === 'choice') left += ` <${spec.choices.join('|')}>`;
    else if (spec.type === 'list') left += ` <${spec.choices.join(',')}>`;
    let right = spec.description;
    if (spec.type !== 'boolean' && spec.type !== 'list' && spec.required === true)
      right += ' (required)';
    if (spec.type === 'string' && spec.repeatable === true) right += ' (repeatable)';
    const d = defaultText(spec);
    if (d !== undefined) right += ` [default: ${d}]`;
    rows.push([left, right]);
  }
  rows.push(['-h, --help', 'show this help']);
  for (const [left, right] of rows) {
    if (left.length > 30) {
      out.push(`  ${left}`);
      out.push(`${' '.repeat(34)}${wrap(right, 66, ' '.repeat(34)).join('\n')}`);
    } else {
      out.push(`  ${left.padEnd(32)}${wrap(right, 66, ' '.repeat(34)).join('\n')}`);
    }
  }
  if (command.examples !== undefined && command.examples.length > 0) {
    out.push('', 'Examples:');
    for (const e of command.examples) out.push(`  ${e}`);
  }
  return `${out.join('\n')}\n`;
}
