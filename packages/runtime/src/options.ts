/**
 * Reads a count option: `fallback` when absent, else a whole number of at least `min`; anything
 * else throws a `RangeError` naming the option.
 */
export function wholeOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name} must be a whole number >= ${min}`);
  return value;
}
