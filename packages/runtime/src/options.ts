import { OcppSdkError } from './errors.js';

/**
 * Reads a count option: `fallback` when absent, else a whole number of at least `min`; anything
 * else throws an `OcppSdkError` `INVALID_ARGUMENT` naming the option.
 */
export function wholeOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min)
    throw new OcppSdkError('INVALID_ARGUMENT', `${name} must be a whole number >= ${min}`);
  return value;
}
