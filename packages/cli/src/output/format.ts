/** Thousands separators, no decimals: `12,345`. */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A latency for people: `0.42 ms`, `12.3 ms`, `1.24 s`. */
export function ms(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  if (n >= 100) return `${n.toFixed(0)} ms`;
  if (n >= 10) return `${n.toFixed(1)} ms`;
  return `${n.toFixed(2)} ms`;
}

/** `mm:ss` (or `h:mm:ss`) of a number of seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${rest}`
    : `${String(m).padStart(2, '0')}:${rest}`;
}

/** A byte count for people: `512 B`, `14.2 KiB`, `63.0 MiB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A plain-text table: the first row is the header, numeric-looking cells are right-aligned, a
 * rule under the header. Used for the summaries (no colours, so it pastes anywhere).
 */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const numeric = /^[-+]?[\d,.]+( ?(ms|s|%|KiB|MiB|B|\/s))?$/;
  const render = (row: readonly string[]) =>
    indent +
    row
      .map((cell, i) => {
        const w = widths[i]!;
        return i > 0 && numeric.test(cell) ? cell.padStart(w) : cell.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  const rule = indent + widths.map((w) => '─'.repeat(w)).join('  ');
  return [render(header!), rule, ...body.map(render)].join('\n');
}
