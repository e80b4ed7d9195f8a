/**
 * Latency histogram in nanoseconds, log-linear: exact below 128 ns, then 64 buckets per power
 * of two, so any reported value is within 1/128 (0.8%) of the truth. Adding a value is a few
 * integer operations, cheap enough for every reply of a hot loop; histograms of several worker
 * threads merge by adding counts.
 */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
const EXACT = 2 * SUB;
/** Values from 2^32 ns (4.3 s) up share the last bucket; `max` keeps the true largest. */
const TOP = 0xffff_ffff;
export const HISTOGRAM_BUCKETS = bucketOf(TOP) + 1;

export function bucketOf(ns: number): number {
  const v = ns >= TOP ? TOP : ns <= 0 ? 0 : Math.floor(ns);
  if (v < EXACT) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return shift * SUB + (v >>> shift);
}

/** The middle of a bucket, the value reported for everything counted in it. */
export function bucketValue(index: number): number {
  if (index < EXACT) return index;
  const shift = Math.floor(index / SUB) - 1;
  const mantissa = (index % SUB) + SUB;
  return mantissa * 2 ** shift + 2 ** shift / 2;
}

export interface HistogramData {
  counts: Float64Array;
  count: number;
  max: number;
}

export class LatencyHistogram implements HistogramData {
  counts = new Float64Array(HISTOGRAM_BUCKETS);
  count = 0;
  max = 0;

  add(ns: number): void {
    this.counts[bucketOf(ns)]++;
    this.count++;
    if (ns > this.max) this.max = ns;
  }

  merge(other: HistogramData): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    if (other.max > this.max) this.max = other.max;
  }

  /** The smallest value that at least a fraction `p` of the samples do not exceed; 0 if empty. */
  quantile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= target) return Math.min(bucketValue(i), this.max);
    }
    return this.max;
  }

  static from(data: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(data);
    return h;
  }
}
