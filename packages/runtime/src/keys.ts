import { OcppSdkError } from './errors.js';
import { toPointer } from './validation.js';

/**
 * A generated key table for one object type: camelCase key → [snake_case key, table of the
 * nested object type (or of the array's item type)]. Keys without a nested table are copied
 * verbatim, which is how `customData` vendor keys and DataTransfer `data` stay untouched.
 */
export interface KeyTable {
  readonly [camelKey: string]: readonly [snakeKey: string, nested?: KeyTable];
}

/** The characters of `S`, as a union. */
type Chars<S extends string> = S extends `${infer C}${infer R}` ? C | Chars<R> : never;
type Lower = Chars<'abcdefghijklmnopqrstuvwxyz'>;
type Upper = Uppercase<Lower>;
type LowerOrDigit = Lower | Chars<'0123456789'>;
type Space = ' ' | '\t' | '\n' | '\r' | '\f' | '\v';

/** `S` with every `From` replaced by `To`, left to right, as Python's `str.replace`. */
type ReplaceAll<
  S extends string,
  From extends string,
  To extends string,
> = S extends `${infer H}${From}${infer R}` ? `${H}${To}${ReplaceAll<R, From, To>}` : S;

/** The separator {@link snakeKey} puts before character `C`, between `Prev` and the rest `R`. */
type Separator<Prev extends string, C extends string, R extends string> = Prev extends ''
  ? ''
  : C extends Upper
    ? R extends `${Lower}${string}`
      ? '_'
      : Prev extends LowerOrDigit
        ? R extends '' | `${Space}${string}`
          ? ''
          : '_'
        : ''
    : '';

type Scan<
  S extends string,
  Prev extends string,
  Out extends string,
> = S extends `${infer C}${infer R}`
  ? Scan<R, C, `${Out}${Separator<Prev, C, R>}${Lowercase<C>}`>
  : Out;

/**
 * The snake_case spelling of a camelCase property name, as a type: the rule of
 * {@link snakeKey}, which the generated key tables follow.
 */
export type SnakeKey<S extends string> = string extends S
  ? string
  : Scan<
      ReplaceAll<
        ReplaceAll<ReplaceAll<S, 'ocppCSMSURL', 'ocpp_csms_url'>, 'V2X', '_v2x'>,
        'V2G',
        '_v2g'
      >,
      '',
      ''
    >;

/**
 * The snake_case shape of a generated payload type: every key renamed by {@link SnakeKey}, through
 * nested objects and arrays. An index signature (the vendor keys of `customData`) stays as it
 * is, as the mapper leaves vendor keys alone.
 *
 * There is no `CamelCased<T>` computed from snake_case keys: the rule is not one-to-one across
 * the spec (`limitL2` and `limit_L2`, or `fullSoC` and `fullSoc`, would both be `limit_l2` and
 * `full_soc`), so the camelCase type is the message type itself, which is what
 * {@link toCamelCase} and `Protocol.toCamelCase` return.
 */
export type SnakeCased<T> = T extends readonly (infer E)[]
  ? SnakeCased<E>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: SnakeCased<T[K]> }
    : T;

const reversed = new WeakMap<KeyTable, KeyTable>();

function collision(
  direction: string,
  first: string,
  second: string,
  target: string,
  segments: readonly (string | number)[],
): OcppSdkError {
  const at = segments.length === 0 ? 'the payload' : toPointer(segments);
  return new OcppSdkError(
    'KEY_COLLISION',
    `${direction}: keys "${first}" and "${second}" of ${at} both become "${target}"`,
  );
}

function reverse(table: KeyTable): KeyTable {
  let r = reversed.get(table);
  if (r === undefined) {
    const out: Record<string, readonly [string, KeyTable?]> = Object.create(null);
    for (const camel of Object.keys(table)) {
      const [snake, nested] = table[camel]!;
      const before = out[snake];
      if (before !== undefined) throw collision('key table', before[0], camel, snake, []);
      out[snake] = nested === undefined ? [camel] : [camel, reverse(nested)];
    }
    r = out;
    reversed.set(table, r);
  }
  return r;
}

function set(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[key] = value;
}

function convert(
  direction: string,
  table: KeyTable,
  value: unknown,
  segments: (string | number)[],
): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      segments.push(i);
      out[i] = convert(direction, table, value[i], segments);
      segments.pop();
    }
    return out;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    const entry = Object.hasOwn(table, key) ? table[key] : undefined;
    const target = entry === undefined ? key : entry[0];
    if (Object.hasOwn(out, target)) {
      const first = keys.find((k) => (Object.hasOwn(table, k) ? table[k]![0] : k) === target)!;
      throw collision(direction, first, key, target, segments);
    }
    if (entry?.[1] === undefined) set(out, target, v);
    else {
      segments.push(key);
      set(out, target, convert(direction, entry[1], v, segments));
      segments.pop();
    }
  }
  return out;
}

/**
 * Renames a payload's keys from the wire's camelCase to snake_case, following the generated
 * table (whose names are {@link snakeKey}'s); keys the table does not know (vendor keys of
 * `customData`, DataTransfer `data`) are kept as they are. Returns a new object.
 *
 * @throws OcppSdkError `KEY_COLLISION` when two keys of one object would get the same name (a
 *   vendor key `vendor_id` beside `vendorId`), naming both keys and the object's JSON pointer.
 */
export function toSnakeCase<T>(table: KeyTable, value: T): SnakeCased<T> {
  return convert('toSnakeCase', table, value, []) as SnakeCased<T>;
}

/**
 * The inverse of {@link toSnakeCase}: snake_case keys back to the wire's camelCase, by the same
 * table (so `limit_l2` becomes `limit_L2` where the schema says so). Give `T`, the camelCase
 * type, to check the input against `SnakeCased<T>` and get a `T`; without it, `unknown` in and out.
 *
 * @throws OcppSdkError `KEY_COLLISION` when two keys of one object would get the same name.
 */
export function toCamelCase<T = unknown>(table: KeyTable, value: NoInfer<SnakeCased<T>>): T {
  return convert('toCamelCase', reverse(table), value, []) as T;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const SPACE = /\s/;

/**
 * The snake_case spelling of a camelCase property name (the rule {@link SnakeKey} types), the
 * one of the Python `ocpp` library (mobilityhouse/ocpp 2.x, `camel_to_snake_case` in
 * `ocpp/charge_point.py`), so that both name every key of every official schema alike:
 *
 * 1. `ocppCSMSURL` becomes `ocpp_csms_url`, `V2X` `_v2x` and `V2G` `_v2g`;
 * 2. an ASCII capital letter gets a `_` before it unless it is the first character, when it is
 *    followed by a lowercase letter, or when it follows a lowercase letter or digit and is not
 *    the last character (nor followed by whitespace);
 * 3. everything is lowercased.
 *
 * So `evseId` → `evse_id`, `fullSoC` → `full_soc`, `responderURL` → `responder_url`,
 * `limit_L2` → `limit_l2`, `evMinV2XEnergyRequest` → `ev_min_v2x_energy_request`,
 * `iso15118CertificateHashData` → `iso15118_certificate_hash_data`. This is the library's two
 * regular expressions (`(.)([A-Z][a-z]+)` → `\1_\2`, then `([a-z0-9])([A-Z])(?=\S)` → `\1_\2`)
 * written as one pass.
 */
export function snakeKey(camel: string): string {
  const s = camel
    .replaceAll('ocppCSMSURL', 'ocpp_csms_url')
    .replaceAll('V2X', '_v2x')
    .replaceAll('V2G', '_v2g');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (i > 0 && isUpper(c) && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      const prev = s.charCodeAt(i - 1);
      if (isLower(next) || ((isLower(prev) || isDigit(prev)) && !SPACE.test(s[i + 1]!))) out += '_';
    }
    out += s[i];
  }
  return out.toLowerCase();
}
