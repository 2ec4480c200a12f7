import { codePointLength } from './validation.js';

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Checks an RFC 3339 `date-time` (JSON Schema `format: "date-time"`): calendar date, time of
 * day, optional fraction, and a mandatory `Z` or numeric offset. A leap second (`:60`) is accepted.
 */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > DAYS_IN_MONTH[month]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) {
    return false;
  }
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  return true;
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
