/**
 * A small benchmark harness: runs each candidate in interleaved rounds so machine noise hits all of
 * them alike, and reports the median time per operation. Figures are meant to be read as ratios
 * between candidates measured in the same run, never as absolute thresholds.
 */

/** One thing to time. */
export interface Candidate {
  readonly name: string;
  readonly run: () => unknown;
}

/** Median nanoseconds per operation of each candidate. */
export type Timings = Map<string, number>;

let sink: unknown;

function timeBatch(run: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = run();
  return Number(process.hrtime.bigint() - start) / iterations;
}

/** Times the candidates: warm-up, then `rounds` interleaved batches of about `batchMs` each. */
export function measure(candidates: readonly Candidate[], rounds = 15, batchMs = 40): Timings {
  const iterations = new Map<string, number>();
  for (const c of candidates) {
    for (let i = 0; i < 2000; i++) sink = c.run();
    const probe = timeBatch(c.run, 2000);
    iterations.set(c.name, Math.max(100, Math.round((batchMs * 1e6) / Math.max(probe, 1))));
  }
  const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of candidates)
      samples.get(c.name)!.push(timeBatch(c.run, iterations.get(c.name)!));
  }
  const out: Timings = new Map();
  for (const [name, list] of samples) {
    list.sort((a, b) => a - b);
    out.set(name, list[Math.floor(list.length / 2)]!);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return out;
}

/** Formats a duration in ns as µs with two decimals. */
export function us(ns: number): string {
  return `${(ns / 1000).toFixed(2)} µs`;
}
