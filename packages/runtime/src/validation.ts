import type { ViolationKind } from './error-codes.js';
import { truncateChars } from './frames.js';

/** The JSON-schema keyword a payload failed. */
export type SchemaKeyword =
  | 'type'
  | 'required'
  | 'additionalProperties'
  | 'enum'
  | 'maxLength'
  | 'minLength'
  | 'minimum'
  | 'maximum'
  | 'exclusiveMinimum'
  | 'exclusiveMaximum'
  | 'multipleOf'
  | 'minItems'
  | 'maxItems'
  | 'format'
  | 'pattern';

/** One reason a payload is invalid. */
export interface ValidationIssue {
  /** JSON pointer of the offending value (`/meterValue/0/sampledValue/2/unit`); `''` for the payload. */
  readonly path: string;
  /** Human-readable explanation, safe to put in a CALLERROR description. */
  readonly message: string;
  /** The schema keyword that failed. */
  readonly keyword: SchemaKeyword;
  /** What kind of CALLERROR this issue calls for. */
  readonly kind: ViolationKind;
}

/** Outcome of a validation: the typed payload, or the CALLERROR code and the issues. */
export type ValidationResult<T, Code extends string = string> =
  | { readonly success: true; readonly data: T }
  | {
      readonly success: false;
      readonly errorCode: Code;
      readonly issues: readonly ValidationIssue[];
    };

/** The failure side of a {@link ValidationResult}. */
export type ValidationFailure<Code extends string = string> = Extract<
  ValidationResult<unknown, Code>,
  { readonly success: false }
>;

/**
 * What a generated fast validator returns: `null` when the value is valid, else the first issue
 * found, with the path still as a list of segments (prepended to as the failure bubbles up, so a
 * valid payload never pays for path building).
 */
export interface RawIssue {
  segments: (string | number)[];
  message: string;
  keyword: SchemaKeyword;
  kind: ViolationKind;
}

/** A generated fast validator. */
export type FastValidator = (value: unknown) => RawIssue | null;

/** Maps a failed keyword to the kind of CALLERROR it calls for (OCPP-J §4.2.3 / Part 4 §4.3). */
export function kindOfKeyword(keyword: SchemaKeyword, expectedType?: string): ViolationKind {
  switch (keyword) {
    case 'type':
      return expectedType === 'object' || expectedType === 'array' ? 'format' : 'type';
    case 'additionalProperties':
      return 'format';
    case 'required':
    case 'minItems':
    case 'maxItems':
      return 'occurrence';
    default:
      return 'property';
  }
}

/**
 * The longest property name a pointer shows in full. A name is the peer's own text (an unknown
 * property of any length): cut, it keeps CALLERROR descriptions and details, and logs, bounded.
 */
const MAX_SEGMENT_CHARS = 64;

/** Escapes one JSON-pointer segment (RFC 6901). */
function escapeSegment(segment: string | number): string {
  if (typeof segment === 'number') return String(segment);
  const name =
    segment.length > MAX_SEGMENT_CHARS
      ? `${truncateChars(segment, MAX_SEGMENT_CHARS)}…(${segment.length} characters)`
      : segment;
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Renders path segments as a JSON pointer; a property name over 64 characters is cut. */
export function toPointer(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += `/${escapeSegment(s)}`;
  return out;
}

/** Turns a raw issue into the public shape. */
export function finishIssue(raw: RawIssue): ValidationIssue {
  return {
    path: toPointer(raw.segments),
    message: raw.message,
    keyword: raw.keyword,
    kind: raw.kind,
  };
}

// ---- issue constructors used by generated validators (cold path only) ----

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Issue: wrong JSON type. */
export function issueType(value: unknown, expected: string): RawIssue {
  return {
    segments: [],
    message: `expected ${expected}, got ${describe(value)}`,
    keyword: 'type',
    kind: kindOfKeyword('type', expected),
  };
}

/** Issue: a required property is missing. */
export function issueRequired(property: string): RawIssue {
  return {
    segments: [property],
    message: 'required property is missing',
    keyword: 'required',
    kind: 'occurrence',
  };
}

/** Issue: a closed object carries a property the schema does not define. */
export function issueExtra(object: object, known: readonly string[]): RawIssue | null {
  for (const key in object) {
    if (!known.includes(key) && Object.hasOwn(object, key)) {
      return {
        segments: [key],
        message: 'property is not allowed by the schema',
        keyword: 'additionalProperties',
        kind: 'format',
      };
    }
  }
  return null;
}

/** Issue: a value-level constraint (enum, length, range, format, multipleOf, pattern) failed. */
export function issueValue(keyword: SchemaKeyword, message: string): RawIssue {
  return { segments: [], message, keyword, kind: kindOfKeyword(keyword) };
}

/** Prepends a path segment to an issue bubbling up from a child value. */
export function at(issue: RawIssue, segment: string | number): RawIssue {
  issue.segments.unshift(segment);
  return issue;
}

/** Counts a string's length in Unicode code points, as JSON Schema's maxLength/minLength do. */
export function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Classifies a zod issue (zod 4 shape, duck-typed so this package does not depend on zod) into a
 * violation kind. `input` is the value that was parsed: zod reports a missing property as a type
 * error, which OCPP calls an occurrence violation.
 */
export function kindOfZodIssue(
  issue: {
    readonly code: string;
    readonly path: readonly PropertyKey[];
    readonly expected?: unknown;
    readonly origin?: unknown;
    readonly params?: unknown;
  },
  input: unknown,
): ViolationKind {
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
    issue.path.length > 0 &&
    valueAt(input, issue.path) === undefined
  ) {
    return 'occurrence';
  }
  switch (issue.code) {
    case 'invalid_type': {
      return issue.expected === 'object' || issue.expected === 'array' ? 'format' : 'type';
    }
    case 'unrecognized_keys':
      return 'format';
    case 'invalid_value': {
      // An enum given a value of another JSON type: the schema's `type` keyword fails first.
      const values = (issue as { values?: readonly unknown[] }).values;
      const v = valueAt(input, issue.path);
      return values !== undefined && values.length > 0 && typeof v !== typeof values[0]
        ? 'type'
        : 'property';
    }
    case 'too_big':
    case 'too_small':
      return issue.origin === 'array' ? 'occurrence' : 'property';
    case 'custom': {
      const params = issue.params as { ocppKind?: ViolationKind } | undefined;
      return params?.ocppKind ?? 'property';
    }
    default:
      return 'property';
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
