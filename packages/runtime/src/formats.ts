import { codePointLength } from './validation.js';

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Reads `n` ASCII digits at `i` as a number, or -1 if any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Checks an RFC 3339 `date-time` (JSON Schema `format: "date-time"`): calendar date, time of
 * day, optional fraction, and a mandatory `Z` or numeric offset. A leap second (`:60`) is accepted.
 * Hand-written rather than a regular expression: it runs on every timestamp of every message.
 */
export function isDateTime(value: string): boolean {
  const len = value.length;
  if (len < 20) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (value[4] !== '-' || value[7] !== '-' || value[13] !== ':' || value[16] !== ':') return false;
  const t = value[10];
  if (t !== 'T' && t !== 't') return false;
  if (day > DAYS_IN_MONTH[month]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) {
    return false;
  }
  let i = 19;
  if (value[i] === '.') {
    i++;
    const start = i;
    while (i < len && digits(value, i, 1) >= 0) i++;
    if (i === start) return false;
  }
  const z = value[i];
  if (z === 'Z' || z === 'z') return i + 1 === len;
  if (z !== '+' && z !== '-') return false;
  if (i + 6 !== len || value[i + 3] !== ':') return false;
  const oh = digits(value, i + 1, 2);
  const om = digits(value, i + 4, 2);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$/;

/**
 * Checks an absolute URI (JSON Schema `format: "uri"`, RFC 3986): a scheme, a colon, and no
 * character that RFC 3986 excludes outright.
 */
export function isUri(value: string): boolean {
  return URI.test(value);
}

function decimals(n: number): number {
  if (Number.isInteger(n)) return 0;
  const s = String(n);
  const e = s.indexOf('e-');
  if (e !== -1)
    return Number(s.slice(e + 2)) + (s.indexOf('.') === -1 ? 0 : e - s.indexOf('.') - 1);
  return s.length - s.indexOf('.') - 1;
}

/**
 * JSON Schema `multipleOf`, computed on the decimal value rather than on binary floating point,
 * so `0.3` is a multiple of `0.1` as the 1.6 charging-schedule schemas intend.
 */
export function isMultipleOf(value: number, divisor: number): boolean {
  const scale = 10 ** Math.max(decimals(divisor), 0);
  const v = value * scale;
  const r = Math.round(v);
  if (Math.abs(v - r) > 1e-9 * Math.max(1, Math.abs(v))) return false;
  return r % Math.round(divisor * scale) === 0;
}

/** A predicate for JSON Schema `maxLength` (counted in code points), for use in zod refinements. */
export function maxChars(max: number): (value: string) => boolean {
  return (value) => value.length <= max || codePointLength(value) <= max;
}

/** A predicate for JSON Schema `minLength` (counted in code points), for use in zod refinements. */
export function minChars(min: number): (value: string) => boolean {
  return (value) => codePointLength(value) >= min;
}
