/**
 * A tiny matcher for expected frames: plain JSON matches itself exactly, and a few `$` forms stand
 * for values the spec leaves free. The syntax is documented in this package's README.
 */

/** A JSON value, possibly with `$` forms inside. */
export type Pattern =
  | null
  | boolean
  | number
  | string
  | readonly Pattern[]
  | { readonly [key: string]: Pattern };

/** The JSON types `$any` can ask for; `value` is any JSON value at all. */
export type AnyType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null' | 'value';

/** What the patterns may refer to. */
export interface MatchContext {
  /** The message id the session chose for its own CALL: what `"$id"` stands for. */
  readonly id?: string;
}

/** The placeholder for the id of the session's own CALL, in patterns and in raw frames to send. */
export const ID_PLACEHOLDER = '$id';

const FORMS = new Set(['$any', '$contains', '$excludes', '$has']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): Exclude<AnyType, 'value'> | 'undefined' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'undefined';
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The `$` form of a pattern object (`{ "$any": "string", "maxLength": 255 }` → `$any`). */
function formOf(pattern: Record<string, unknown>): string | undefined {
  const forms = Object.keys(pattern).filter((k) => FORMS.has(k));
  if (forms.length > 1) throw new Error(`pattern mixes ${forms.join(' and ')}`);
  return forms[0];
}

function matchForm(
  form: string,
  pattern: Record<string, unknown>,
  actual: unknown,
  context: MatchContext,
  path: string,
): string | null {
  const at = path === '' ? 'the value' : path;
  switch (form) {
    case '$any': {
      const want = pattern.$any as AnyType;
      const got = jsonType(actual);
      if (got === 'undefined') return `${at}: expected ${want}, got nothing`;
      if (want !== 'value' && got !== want) return `${at}: expected ${want}, got ${show(actual)}`;
      const max = pattern.maxLength;
      if (typeof max === 'number' && typeof actual === 'string' && actual.length > max)
        return `${at}: expected at most ${max} characters, got ${actual.length}`;
      return null;
    }
    case '$contains': {
      const needle = pattern.$contains as string;
      if (typeof actual !== 'string' || !actual.includes(needle))
        return `${at}: expected a string containing ${show(needle)}, got ${show(actual)}`;
      return null;
    }
    case '$excludes': {
      if (typeof actual !== 'string') return `${at}: expected a string, got ${show(actual)}`;
      for (const needle of pattern.$excludes as readonly string[]) {
        if (actual.includes(needle))
          return `${at}: ${show(actual)} must not contain ${show(needle)}`;
      }
      return null;
    }
    default: {
      if (!isRecord(actual)) return `${at}: expected an object, got ${show(actual)}`;
      for (const [key, sub] of Object.entries(pattern.$has as Record<string, unknown>)) {
        if (!Object.hasOwn(actual, key)) return `${path}/${key}: expected a value, got nothing`;
        const m = mismatch(sub as Pattern, actual[key], context, `${path}/${key}`);
        if (m !== null) return m;
      }
      return null;
    }
  }
}

/**
 * Compares `actual` with `pattern`. Returns `null` on a match, else where and how they differ.
 * Objects must have exactly the pattern's keys and arrays its length, unless a `$` form says
 * otherwise.
 */
export function mismatch(
  pattern: Pattern,
  actual: unknown,
  context: MatchContext = {},
  path = '',
): string | null {
  const at = path === '' ? 'the value' : path;
  if (pattern === ID_PLACEHOLDER) {
    if (context.id === undefined) throw new Error('"$id" used in a case without a "call" step');
    return actual === context.id
      ? null
      : `${at}: expected the call's id ${show(context.id)}, got ${show(actual)}`;
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${show(actual)}`;
    if (actual.length !== pattern.length)
      return `${at}: expected ${pattern.length} elements, got ${actual.length}: ${show(actual)}`;
    for (let i = 0; i < pattern.length; i++) {
      const m = mismatch(pattern[i] as Pattern, actual[i], context, `${path}/${i}`);
      if (m !== null) return m;
    }
    return null;
  }
  if (isRecord(pattern)) {
    const form = formOf(pattern);
    if (form !== undefined) return matchForm(form, pattern, actual, context, path);
    if (!isRecord(actual)) return `${at}: expected an object, got ${show(actual)}`;
    for (const [key, sub] of Object.entries(pattern)) {
      if (!Object.hasOwn(actual, key)) return `${path}/${key}: expected ${show(sub)}, got nothing`;
      const m = mismatch(sub, actual[key], context, `${path}/${key}`);
      if (m !== null) return m;
    }
    for (const key of Object.keys(actual)) {
      if (!Object.hasOwn(pattern, key))
        return `${path}/${key}: unexpected property ${show(actual[key])}`;
    }
    return null;
  }
  return pattern === actual ? null : `${at}: expected ${show(pattern)}, got ${show(actual)}`;
}

/** Puts the session's chosen id in place of every `$id` in a raw frame to send. */
export function substituteId(text: string, id: string | undefined): string {
  if (!text.includes(ID_PLACEHOLDER)) return text;
  if (id === undefined) throw new Error('"$id" used in a case without a "call" step');
  return text.split(ID_PLACEHOLDER).join(id);
}
