import { codePointLength } from './validation.js';

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number the two ASCII digits at `i` spell, or -1 if either is not a digit (or missing). */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;

/**
 * Checks an RFC 3339 `date-time` (JSON Schema `format: "date-time"`): calendar date, time of
 * day, optional fraction, and a mandatory `Z` or numeric offset. A leap second (`:60`) is accepted.
 * Hand-written on character codes rather than a regular expression: it runs on every timestamp of
 * every message.
 */
export function isDateTime(value: string): boolean {
  const len = value.length;
  if (len < 20) return false;
  const century = twoDigits(value, 0);
  const yy = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) {
    return false;
  }
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  if (
    value.charCodeAt(4) !== DASH ||
    value.charCodeAt(7) !== DASH ||
    value.charCodeAt(13) !== COLON ||
    value.charCodeAt(16) !== COLON
  ) {
    return false;
  }
  const t = value.charCodeAt(10);
  if (t !== 84 && t !== 116) return false; // T or t
  if (day > DAYS_IN_MONTH[month]!) return false;
  const year = century * 100 + yy;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) {
    return false;
  }
  let i = 19;
  if (value.charCodeAt(i) === DOT) {
    i++;
    const start = i;
    while (i < len) {
      const d = value.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      i++;
    }
    if (i === start) return false;
  }
  const z = value.charCodeAt(i);
  if (z === 90 || z === 122) return i + 1 === len; // Z or z
  if (z !== PLUS && z !== DASH) return false;
  if (i + 6 !== len || value.charCodeAt(i + 3) !== COLON) return false;
  const oh = twoDigits(value, i + 1);
  const om = twoDigits(value, i + 4);
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
