import { renderChart, niceCeiling } from './chart-svg';
import type { SummaryRow } from './summary';

function row(over: Partial<SummaryRow>): SummaryRow {
  return {
    scenario: 'udp-rr',
    server: 'ours',
    runs: 3,
    ok: 3,
    failures: [],
    throughput: 1000,
    throughputMin: 900,
    throughputMax: 1100,
    unit: 'req/s',
    mbPerS: 0.064,
    p50Us: 1,
    p99Us: 2,
    p999Us: 3,
    srvCpuPct: 50,
    perSrvCpuS: 2000,
    rssPeakMiB: 10,
    lgCpuPct: 70,
    ...over,
  };
}

describe('renderChart', () => {
  it('draws one bar per server and scenario for each metric, with a legend', () => {
    const svg = renderChart(
      [row({}), row({ server: 'textbook<&>', throughput: 500 }), row({ scenario: 'tcp-bulk', unit: 'MB/s', throughput: 300 })],
      'Title',
      'sub',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // 3 bars × 2 metric rows, plus the legend swatches and the background.
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(6);
    expect(svg).toContain('textbook&#60;&#38;&#62;');
    expect(svg).not.toContain('textbook<&>');
    expect(svg).toContain('>1.00k<');
  });

  it('marks a scenario whose runs all failed instead of drawing a zero bar', () => {
    const svg = renderChart([row({ throughput: Number.NaN, perSrvCpuS: Number.NaN, ok: 0 })], 't', 's');
    expect(svg).toContain('>failed<');
    expect(svg).not.toContain('<title>');
  });
});

describe('niceCeiling', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([niceCeiling(0.7), niceCeiling(1), niceCeiling(1.2), niceCeiling(2.2), niceCeiling(3), niceCeiling(7e6), niceCeiling(0), niceCeiling(500)]).toEqual([
      1, 1, 2, 5, 5, 1e7, 1, 500,
    ]);
  });

  it('labels the grid without trailing zeros', () => {
    const svg = renderChart([row({ throughput: 1_500_000, throughputMin: 1_400_000, throughputMax: 1_600_000 })], 't', 's');
    // max 1.6M × 1.12 / 4 → step 500k: 0, 500k, 1M, 1.5M, 2M
    for (const tick of ['>0<', '>500k<', '>1M<', '>1.5M<', '>2M<']) expect(svg).toContain(tick);
  });
});
