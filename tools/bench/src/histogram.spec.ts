import { HISTOGRAM_BUCKETS, LatencyHistogram, bucketOf, bucketValue } from './histogram';

describe('bucketOf / bucketValue', () => {
  it('is exact below 128 ns', () => {
    for (let v = 0; v < 128; v++) expect(bucketValue(bucketOf(v))).toBe(v);
  });

  it('reports every value within 1% from 128 ns to 4 s', () => {
    for (let v = 128; v < 4e9; v = Math.ceil(v * 1.37) + 1) {
      const reported = bucketValue(bucketOf(v));
      expect(Math.abs(reported - v) / v).toBeLessThan(0.01);
    }
  });

  it('never leaves the table, whatever the value', () => {
    for (const v of [-5, 0, 0.4, 2 ** 32 - 1, 2 ** 32, 1e12, Number.MAX_SAFE_INTEGER]) {
      expect(bucketOf(v)).toBeGreaterThanOrEqual(0);
      expect(bucketOf(v)).toBeLessThan(HISTOGRAM_BUCKETS);
    }
  });

  it('is monotonic', () => {
    let last = -1;
    for (let v = 0; v < 1e7; v = v * 1.01 + 1) {
      expect(bucketOf(v)).toBeGreaterThanOrEqual(last);
      last = bucketOf(v);
    }
  });
});

describe('LatencyHistogram.quantile', () => {
  it('finds the percentiles of 1..100000 µs within 1%', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 100_000; us++) h.add(us * 1000);
    for (const [p, want] of [
      [0.5, 50_000],
      [0.99, 99_000],
      [0.999, 99_900],
    ]) {
      expect(Math.abs(h.quantile(p) / 1000 - want) / want).toBeLessThan(0.01);
    }
    expect(h.max).toBe(100_000_000);
    expect(h.quantile(1)).toBeLessThanOrEqual(h.max);
  });

  it('takes the smallest value that covers the fraction (nearest rank)', () => {
    const h = new LatencyHistogram();
    for (const v of [10, 20, 30, 40]) h.add(v);
    expect(h.quantile(0.5)).toBe(20);
    expect(h.quantile(0.51)).toBe(30);
    expect(h.quantile(0.99)).toBe(40);
    expect(h.quantile(0)).toBe(10);
  });

  it('sees a slow tail: one 5 ms sample in a thousand fast ones moves p99.9, not p99', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 998; i++) h.add(50_000);
    h.add(5_000_000);
    h.add(5_000_000);
    expect(h.quantile(0.99)).toBeCloseTo(50_000, -3);
    expect(h.quantile(0.999)).toBeGreaterThan(4_900_000);
  });

  it('is 0 when empty', () => {
    expect(new LatencyHistogram().quantile(0.5)).toBe(0);
  });

  it('merges histograms of several threads as if one had seen everything', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 3 === 0 ? a : b).add(i * 997);
      all.add(i * 997);
    }
    // As it arrives from a worker thread: plain data, not a class instance.
    const merged = LatencyHistogram.from(structuredClone({ counts: a.counts, count: a.count, max: a.max }));
    merged.merge(b);
    expect(merged.count).toBe(1000);
    expect(merged.max).toBe(all.max);
    for (const p of [0.1, 0.5, 0.9, 0.99]) expect(merged.quantile(p)).toBe(all.quantile(p));
  });
});
