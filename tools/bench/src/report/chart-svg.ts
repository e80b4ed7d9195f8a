import type { SummaryRow } from './summary';
import { formatShort } from './table';

const PALETTE = ['#2f6db5', '#d9822b', '#3a9a5b', '#b23b3b', '#7b5ea7', '#8c6d31', '#4d9bb8'];
const MARGIN = 16;
/** Below this the title and subtitle would wrap into a column of words. */
const MIN_WIDTH = 560;
const MIN_PANEL_W = 190;
const MAX_SPREAD_W = 280;
const PANEL_H = 210;
const PLOT_TOP = 44;
const PLOT_BOTTOM = 26;
const AXIS_W = 44;
const PLOT_RIGHT = 12;
const SWATCH = 12;

interface Font {
  size: number;
  bold?: boolean;
}
const TITLE: Font = { size: 15, bold: true };
const SUBTITLE: Font = { size: 11 };
const LEGEND: Font = { size: 11 };
const METRIC_TITLE: Font = { size: 13, bold: true };
const SCENARIO: Font = { size: 12, bold: true };
const UNIT: Font = { size: 11 };
const SMALL: Font = { size: 10 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * How wide a line of text will be drawn, erring wide. The SVG names Helvetica and Arial, but a
 * renderer without them falls back to a wider face (DejaVu Sans): the per-character widths are
 * that wider face's, rounded up, so a layout that fits here fits in either.
 */
export function textWidth(text: string, font: Font): number {
  let em = 0;
  for (const c of text) {
    if (/[ijlI.,:;'!|]/.test(c)) em += 0.32;
    else if (/[ frt()[\]\-/]/.test(c)) em += 0.42;
    else if (/[mwMW@%]/.test(c)) em += 0.98;
    else if (/[A-Z&]/.test(c)) em += 0.78;
    else em += 0.66;
  }
  return em * font.size * (font.bold ? 1.1 : 1);
}

/** Line height, and where the baseline sits below the top of the line. */
const lineHeight = (font: Font) => Math.ceil(font.size * 1.35);
const ascent = (font: Font) => Math.ceil(font.size * 1.0);

/** Greedy word wrap; a single word wider than the line keeps a line of its own. */
export function wrapText(text: string, font: Font, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidth(candidate, font) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines;
}

function textElement(x: number, y: number, text: string, font: Font, extra = ''): string {
  const size = font.size === 11 ? '' : ` font-size="${font.size}"`;
  const weight = font.bold ? ' font-weight="bold"' : '';
  return `<text x="${round(x)}" y="${round(y)}"${size}${weight}${extra}>${escapeXml(text)}</text>`;
}

const round = (v: number) => Math.round(v * 10) / 10;

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
 * an axis), one bar per server, a row per metric. Plain SVG, no dependencies. Every size follows
 * from the text it has to hold, so one scenario or five, two servers or six, nothing is clipped:
 * panels widen for their labels, the chart keeps a minimum width for its header, and the header
 * and the legend wrap onto as many lines as they need.
 */
export function renderChart(rows: readonly SummaryRow[], title: string, subtitle: string): string {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const servers = [...new Set(rows.map((r) => r.server))];
  const color = (server: string) => PALETTE[servers.indexOf(server) % PALETTE.length];

  const panelW = Math.max(MIN_PANEL_W, ...scenarios.map((s) => panelWidthFor(rows.filter((r) => r.scenario === s))));
  const panelsW = Math.max(1, scenarios.length) * panelW;
  const width = Math.ceil(MARGIN * 2 + Math.max(panelsW, MIN_WIDTH - MARGIN * 2));
  const innerW = width - MARGIN * 2;
  // Spare width widens the panels, but only so far: two bars a whole page apart read badly.
  const spread = Math.min(innerW / Math.max(1, scenarios.length), Math.max(panelW, MAX_SPREAD_W));

  const body: string[] = [];
  let y = MARGIN;
  const lines = (text: string, font: Font, extra = '') => {
    for (const line of wrapText(text, font, innerW)) {
      body.push(textElement(MARGIN, y + ascent(font), line, font, extra));
      y += lineHeight(font);
    }
  };
  lines(title, TITLE);
  lines(subtitle, SUBTITLE, ' fill="#555"');
  y += 6;
  y = legend(body, servers, color, y, innerW);
  for (const metric of METRICS) {
    y += 10;
    lines(metric.title, METRIC_TITLE);
    scenarios.forEach((scenario, s) => {
      body.push(panel(rows.filter((r) => r.scenario === scenario), metric, MARGIN + s * spread, spread, y, color));
    });
    y += PANEL_H;
  }
  const height = Math.ceil(y + MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Swatch and name per server, left to right, onto a new line when the next would not fit. */
function legend(out: string[], servers: string[], color: (server: string) => string, top: number, maxWidth: number): number {
  let x = 0;
  let y = top;
  for (const server of servers) {
    const w = SWATCH + 4 + textWidth(server, LEGEND);
    if (x > 0 && x + w > maxWidth) {
      x = 0;
      y += lineHeight(LEGEND) + 4;
    }
    out.push(`<rect x="${round(MARGIN + x)}" y="${y}" width="${SWATCH}" height="${SWATCH}" fill="${color(server)}"/>`);
    out.push(textElement(MARGIN + x + SWATCH + 4, y + 10, server, LEGEND));
    x += w + 14;
  }
  return y + lineHeight(LEGEND) + 4;
}

/** Room for every bar's server name and value, side by side, and for the panel's heading. */
function panelWidthFor(rows: SummaryRow[]): number {
  const slot = Math.max(48, ...rows.map((r) => Math.max(textWidth(r.server, SMALL), textWidth('999.9k', SMALL)) + 10));
  const heading = Math.max(
    textWidth(rows[0]?.scenario ?? '', SCENARIO),
    ...METRICS.map((m) => (rows[0] ? textWidth(m.unit(rows[0]), UNIT) : 0)),
  );
  return Math.ceil(Math.max(AXIS_W + PLOT_RIGHT + rows.length * slot, heading + 12));
}

function panel(rows: SummaryRow[], metric: Metric, left: number, panelW: number, top: number, color: (server: string) => string): string {
  const out: string[] = [];
  const plotLeft = left + AXIS_W;
  const plotW = panelW - AXIS_W - PLOT_RIGHT;
  const plotTop = top + PLOT_TOP;
  const plotH = PANEL_H - PLOT_TOP - PLOT_BOTTOM;
  const base = plotTop + plotH;
  const values = rows.map((r) => Math.max(metric.value(r), metric.range?.(r)[1] ?? 0)).filter(Number.isFinite);
  const step = niceCeiling((Math.max(0, ...values) * 1.12) / 4);
  const max = 4 * step;
  const y = (v: number) => round(base - (Math.max(0, v) / max) * plotH);
  const centre = left + panelW / 2;
  out.push(textElement(centre, top + 14, rows[0]?.scenario ?? '', SCENARIO, ' text-anchor="middle"'));
  out.push(textElement(centre, top + 28, rows[0] ? metric.unit(rows[0]) : '', UNIT, ' text-anchor="middle" fill="#555"'));
  for (let i = 0; i <= 4; i++) {
    const v = step * i;
    out.push(`<line x1="${round(plotLeft)}" x2="${round(plotLeft + plotW)}" y1="${y(v)}" y2="${y(v)}" stroke="${i === 0 ? '#333' : '#e3e3e3'}"/>`);
    out.push(textElement(plotLeft - 4, y(v) + 4, formatTick(v), SMALL, ' text-anchor="end" fill="#555"'));
  }
  const slot = plotW / Math.max(1, rows.length);
  const barW = Math.min(42, slot * 0.7);
  rows.forEach((row, i) => {
    const cx = plotLeft + slot * (i + 0.5);
    const v = metric.value(row);
    if (!Number.isFinite(v)) {
      out.push(textElement(cx, base - 6, 'failed', UNIT, ' text-anchor="middle" fill="#b23b3b"'));
    } else {
      out.push(
        `<rect x="${round(cx - barW / 2)}" y="${y(v)}" width="${round(barW)}" height="${round(base - y(v))}" fill="${color(row.server)}"><title>${escapeXml(`${row.server}: ${formatShort(v)}`)}</title></rect>`,
      );
      const range = metric.range?.(row);
      if (range && Number.isFinite(range[0]) && range[1] > range[0]) {
        out.push(`<line x1="${round(cx)}" x2="${round(cx)}" y1="${y(range[0])}" y2="${y(range[1])}" stroke="#222"/>`);
        for (const end of range) out.push(`<line x1="${round(cx - 5)}" x2="${round(cx + 5)}" y1="${y(end)}" y2="${y(end)}" stroke="#222"/>`);
      }
      const labelY = Math.min(y(v), range ? y(range[1]) : y(v)) - 4;
      out.push(textElement(cx, labelY, formatShort(v), SMALL, ' text-anchor="middle"'));
    }
    out.push(textElement(cx, base + 14, row.server, SMALL, ' text-anchor="middle" fill="#333"'));
  });
  return out.join('\n');
}
