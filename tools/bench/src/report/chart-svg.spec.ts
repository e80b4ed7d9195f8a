import { renderChart, niceCeiling, textWidth, wrapText } from './chart-svg';
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

interface Box {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Where each <text> of the chart will be drawn, by the chart's own (wide-erring) measure. */
function textBoxes(svg: string): Box[] {
  const boxes: Box[] = [];
  for (const [, attributes, content] of svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)) {
    const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(attributes)?.[1];
    const text = content.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    const size = Number(attr('font-size') ?? 11);
    const width = textWidth(text, { size, bold: attr('font-weight') === 'bold' });
    const x = Number(attr('x'));
    const y = Number(attr('y'));
    const left = attr('text-anchor') === 'middle' ? x - width / 2 : attr('text-anchor') === 'end' ? x - width : x;
    boxes.push({ text, left, right: left + width, top: y - size, bottom: y + size * 0.25 });
  }
  return boxes;
}

function viewBox(svg: string): { width: number; height: number } {
  const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? [];
  return { width: Number(width), height: Number(height) };
}

const SUBTITLE = 'upper, 64-byte messages, medians of 3 round(s) of 5 s; 2 CPUs (AMD EPYC 7B13), 23.5 GiB, Linux 6.18.44, Node v20.20.2, Python 3.11.2';
const SCENARIOS = ['tcp-pipe', 'tcp-cpm', 'tcp-bulk', 'udp-rr', 'udp-rr-w16'] as const;

describe('renderChart layout', () => {
  it.each([
    ['one scenario, two servers', SCENARIOS.slice(3, 4), ['ours', 'textbook']],
    ['five scenarios, two servers', SCENARIOS, ['ours', 'textbook']],
    ['one scenario, six servers with long names', SCENARIOS.slice(0, 1), ['ours', 'textbook', 'bare-node', 'c-reference-epoll', 'ours-with-cluster', 'x']],
  ])('%s: every text is inside the picture and none covers another', (_, scenarios, servers) => {
    const rows = scenarios.flatMap((scenario) =>
      servers.map((server, i) => row({ scenario, server, throughput: 1_234_567 * (i + 1), throughputMin: 1_000_000, throughputMax: 1_300_000 * (i + 1), perSrvCpuS: 999_999 })),
    );
    const svg = renderChart(rows, 'Uppercase servers under load', SUBTITLE);
    const { width, height } = viewBox(svg);
    const boxes = textBoxes(svg);
    expect(boxes.map((b) => b.text)).toContain('Uppercase servers under load');
    for (const server of servers) expect(boxes.filter((b) => b.text === server).length).toBeGreaterThanOrEqual(3); // legend and a label per panel
    expect(boxes.filter((b) => !(b.left >= 0 && b.right <= width && b.top >= 0 && b.bottom <= height))).toEqual([]);
    const overlapping = boxes.flatMap((a, i) =>
      boxes.slice(i + 1).flatMap((b) => (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom ? [[a, b]] : [])),
    );
    expect(overlapping).toEqual([]);
  });

  it('wraps the subtitle rather than letting it run past the edge of a narrow chart', () => {
    const svg = renderChart([row({})], 'Title', SUBTITLE);
    const lines = textBoxes(svg).filter((b) => SUBTITLE.includes(b.text) && b.text.length > 5);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((b) => b.text).join(' ')).toBe(SUBTITLE);
  });
});

describe('wrapText', () => {
  it('breaks at spaces to fit, and keeps a word too long for any line whole', () => {
    const font = { size: 10 };
    expect(wrapText('aa bb cc', font, textWidth('aa bb', font))).toEqual(['aa bb', 'cc']);
    expect(wrapText('aaaaaaaa b', font, 10)).toEqual(['aaaaaaaa', 'b']);
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
