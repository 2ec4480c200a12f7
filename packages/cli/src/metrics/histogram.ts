/** Smallest latency the histogram tells apart, in milliseconds (10 µs). */
const BASE_MS = 0.01;
/** Each bucket is 4 % wider than the one before: percentiles are within 2 % of the truth. */
const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to about 10 minutes; anything slower lands in the last one. */
const BUCKETS = Math.ceil(Math.log(600_000 / BASE_MS) / LOG_GROWTH) + 1;

/**
 * A latency histogram with logarithmic buckets: constant memory (about 3 KB) whatever the number
 * of samples, percentiles within 2 %, exact count, sum, minimum and maximum.
 */
export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  /** Number of samples. */
  count = 0;
  /** Sum of the samples in milliseconds. */
  sum = 0;
  /** Smallest sample (Infinity while empty). */
  min = Number.POSITIVE_INFINITY;
  /** Largest sample (0 while empty). */
  max = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const value = Math.max(ms, 0) || 0; // NaN counts as 0
    this.counts[Histogram.bucketOf(value)]!++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds every sample of another histogram. */
  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The value below which `p` percent of the samples fall (0 when empty). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        // The geometric middle of the bucket, kept within what was actually observed.
        const middle = i === 0 ? BASE_MS / 2 : BASE_MS * GROWTH ** (i - 0.5);
        return Math.min(this.max, Math.max(this.min, middle));
      }
    }
    return this.max;
  }

  /** Mean in milliseconds (0 when empty). */
  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * Non-empty bucket ranges for charts: `[from, to, count]` in milliseconds, merged into at most
   * `maxBars` bars of equal width on a logarithmic axis.
   */
  bars(maxBars = 40): [number, number, number][] {
    let first = -1;
    let last = -1;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.counts[i]! > 0) {
        if (first === -1) first = i;
        last = i;
      }
    }
    if (first === -1) return [];
    const span = last - first + 1;
    const per = Math.max(1, Math.ceil(span / maxBars));
    const out: [number, number, number][] = [];
    for (let start = first; start <= last; start += per) {
      let n = 0;
      for (let i = start; i < start + per && i <= last; i++) n += this.counts[i]!;
      out.push([Histogram.lowerBound(start), Histogram.lowerBound(start + per), n]);
    }
    return out;
  }

  private static bucketOf(ms: number): number {
    if (ms < BASE_MS) return 0;
    const i = Math.floor(Math.log(ms / BASE_MS) / LOG_GROWTH) + 1;
    return i >= BUCKETS ? BUCKETS - 1 : i;
  }

  private static lowerBound(i: number): number {
    return i === 0 ? 0 : BASE_MS * GROWTH ** (i - 1);
  }
}
