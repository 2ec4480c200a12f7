/** Percentiles, number formatting and plain-text tables for the RPC benchmark. */

/** The `p`-th percentile (0..100) of sorted values, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** A number with thousands separators and `digits` decimals. */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A ratio such as `0.87×`. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

/** A target check: `PASS`/`MISS` for `value` against `limit`, in the direction given. */
export function verdict(value: number, op: '>=' | '<=', limit: number): 'PASS' | 'MISS' {
  return (op === '>=' ? value >= limit : value <= limit) ? 'PASS' : 'MISS';
}

/** Prints a table: a title, a header row, a rule, and the rows; numbers right-aligned. */
export function printTable(
  title: string,
  header: readonly string[],
  rows: readonly string[][],
): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[-\d.,×%—µ ]*$/.test(r[i] ?? '')));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
