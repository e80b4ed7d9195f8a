import type { SummaryRow } from './summary';
import { formatShort } from './table';

const PALETTE = ['#2f6db5', '#d9822b', '#3a9a5b', '#b23b3b', '#7b5ea7', '#8c6d31', '#4d9bb8'];
const PANEL_W = 190;
const PANEL_H = 210;
const PLOT_TOP = 44;
const PLOT_BOTTOM = 26;
const AXIS_W = 44;
const MARGIN = 16;
const LEGEND_H = 54;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The smallest of 1, 2, 5 times a power of ten at or above `value`: a readable grid step. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value * (1 - 1e-12)) return step * power;
  return 10 * power;
}

/** Grid labels: 1500000 → "1.5M", 0 → "0". */
function formatTick(value: number): string {
  return formatShort(value).replace(/\.0+(?=[kM]?$)|(\.\d*?)0+(?=[kM]?$)/, '$1');
}

interface Metric {
  title: string;
  value(row: SummaryRow): number;
  range?(row: SummaryRow): [number, number];
  unit(row: SummaryRow): string;
}

const METRICS: Metric[] = [
  {
    title: 'Throughput, median (whiskers: min..max)',
    value: (r) => r.throughput,
    range: (r) => [r.throughputMin, r.throughputMax],
    unit: (r) => r.unit,
  },
  {
    title: 'Per CPU-second of the server',
    value: (r) => r.perSrvCpuS,
    unit: (r) => (r.unit === 'MB/s' ? 'MB per CPU-s' : `${r.unit.replace('/s', '')} per CPU-s`),
  },
];

/**
 * Small multiples: one panel per scenario (each with its own scale: lines/s and MB/s do not share
 * an axis), one bar per server, a row per metric. Plain SVG, no dependencies.
 */
export function renderChart(rows: readonly SummaryRow[], title: string, subtitle: string): string {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const servers = [...new Set(rows.map((r) => r.server))];
  const color = (server: string) => PALETTE[servers.indexOf(server) % PALETTE.length];
  const width = MARGIN * 2 + Math.max(1, scenarios.length) * PANEL_W;
  const height = LEGEND_H + METRICS.length * (PANEL_H + 24) + MARGIN;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="20" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${MARGIN}" y="36" fill="#555">${escapeXml(subtitle)}</text>`,
  ];
  let x = width - MARGIN;
  for (const server of [...servers].reverse()) {
    const w = 18 + server.length * 6.5;
    x -= w + 10;
    out.push(`<rect x="${x}" y="10" width="12" height="12" fill="${color(server)}"/>`);
    out.push(`<text x="${x + 16}" y="20">${escapeXml(server)}</text>`);
  }
  METRICS.forEach((metric, m) => {
    const top = LEGEND_H + m * (PANEL_H + 24);
    out.push(`<text x="${MARGIN}" y="${top + 12}" font-size="13" font-weight="bold">${escapeXml(metric.title)}</text>`);
    scenarios.forEach((scenario, s) => {
      out.push(panel(rows.filter((r) => r.scenario === scenario), metric, MARGIN + s * PANEL_W, top + 16, color));
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function panel(rows: SummaryRow[], metric: Metric, left: number, top: number, color: (server: string) => string): string {
  const out: string[] = [];
  const plotLeft = left + AXIS_W;
  const plotW = PANEL_W - AXIS_W - 12;
  const plotTop = top + PLOT_TOP;
  const plotH = PANEL_H - PLOT_TOP - PLOT_BOTTOM;
  const base = plotTop + plotH;
  const values = rows.map((r) => Math.max(metric.value(r), metric.range?.(r)[1] ?? 0)).filter(Number.isFinite);
  const step = niceCeiling((Math.max(0, ...values) * 1.12) / 4);
  const max = 4 * step;
  const y = (v: number) => base - (Math.max(0, v) / max) * plotH;
  out.push(`<text x="${left + PANEL_W / 2}" y="${top + 14}" text-anchor="middle" font-size="12" font-weight="bold">${escapeXml(rows[0]?.scenario ?? '')}</text>`);
  out.push(`<text x="${left + PANEL_W / 2}" y="${top + 28}" text-anchor="middle" fill="#555">${escapeXml(rows[0] ? metric.unit(rows[0]) : '')}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = step * i;
    out.push(`<line x1="${plotLeft}" x2="${plotLeft + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="${i === 0 ? '#333' : '#e3e3e3'}"/>`);
    out.push(`<text x="${plotLeft - 4}" y="${y(v) + 4}" text-anchor="end" fill="#555" font-size="10">${formatTick(v)}</text>`);
  }
  const slot = plotW / Math.max(1, rows.length);
  const barW = Math.min(42, slot * 0.7);
  rows.forEach((row, i) => {
    const cx = plotLeft + slot * (i + 0.5);
    const v = metric.value(row);
    if (!Number.isFinite(v)) {
      out.push(`<text x="${cx}" y="${base - 6}" text-anchor="middle" fill="#b23b3b">failed</text>`);
    } else {
      out.push(`<rect x="${cx - barW / 2}" y="${y(v)}" width="${barW}" height="${base - y(v)}" fill="${color(row.server)}"><title>${escapeXml(`${row.server}: ${formatShort(v)}`)}</title></rect>`);
      const range = metric.range?.(row);
      if (range && Number.isFinite(range[0]) && range[1] > range[0]) {
        out.push(`<line x1="${cx}" x2="${cx}" y1="${y(range[0])}" y2="${y(range[1])}" stroke="#222"/>`);
        for (const end of range) out.push(`<line x1="${cx - 5}" x2="${cx + 5}" y1="${y(end)}" y2="${y(end)}" stroke="#222"/>`);
      }
      const labelY = Math.min(y(v), range ? y(range[1]) : y(v)) - 4;
      out.push(`<text x="${cx}" y="${labelY}" text-anchor="middle" font-size="10">${formatShort(v)}</text>`);
    }
    out.push(`<text x="${cx}" y="${base + 14}" text-anchor="middle" fill="#333" font-size="10">${escapeXml(row.server)}</text>`);
  });
  return out.join('\n');
}
