/**
 * A generated key table for one object type: camelCase key → [snake_case key, table of the
 * nested object type (or of the array's item type)]. Keys without a nested table are copied
 * verbatim, which is how `customData` vendor keys and DataTransfer `data` stay untouched.
 */
export interface KeyTable {
  readonly [camelKey: string]: readonly [snakeKey: string, nested?: KeyTable];
}

/** Converts a camelCase property name to snake_case the way the generated key tables do. */
export type SnakeKey<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeKey<T>}`
  : S;

/** The snake_case shape of a generated payload type. */
export type SnakeCased<T> = T extends readonly (infer E)[]
  ? SnakeCased<E>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: SnakeCased<T[K]> }
    : T;

const reversed = new WeakMap<KeyTable, KeyTable>();

function reverse(table: KeyTable): KeyTable {
  let r = reversed.get(table);
  if (r === undefined) {
    const out: Record<string, readonly [string, KeyTable?]> = {};
    for (const camel of Object.keys(table)) {
      const [snake, nested] = table[camel]!;
      out[snake] = nested === undefined ? [camel] : [camel, reverse(nested)];
    }
    r = out;
    reversed.set(table, r);
  }
  return r;
}

function convert(table: KeyTable, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => convert(table, item));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const entry = Object.hasOwn(table, key) ? table[key] : undefined;
    if (entry === undefined) out[key] = v;
    else out[entry[0]] = entry[1] === undefined ? v : convert(entry[1], v);
  }
  return out;
}

/**
 * Renames a payload's keys from the wire's camelCase to snake_case, following the generated
 * table; keys the table does not know are kept as they are. Returns a new object.
 */
export function toSnakeCase(table: KeyTable, value: unknown): unknown {
  return convert(table, value);
}

/** The inverse of {@link toSnakeCase}: snake_case keys back to the wire's camelCase. */
export function toCamelCase(table: KeyTable, value: unknown): unknown {
  return convert(reverse(table), value);
}

/** The snake_case spelling of a camelCase property name (the rule {@link SnakeKey} types). */
export function snakeKey(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
