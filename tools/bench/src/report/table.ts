import { floorName, oursName } from '../options';
import { SCENARIO_NAMES } from '../scenarios';
import type { RatioRow, SummaryRow } from './summary';

const DASH = '–';

/** 1234567 → "1,234,567"; small values keep a decimal or two so they do not read as zero. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  // Thresholds just under 100 and 10, so 99.96 prints as "100", not "100.0".
  const digits = Math.abs(value) >= 99.95 ? 0 : Math.abs(value) >= 9.995 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** 4384462 → "4.38M", 33905 → "33.9k": for ranges, where exact digits are noise. */
export function formatShort(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  if (value === 0) return '0';
  const abs = Math.abs(value);
  // 999,999 rounds to 1000k at three digits: the thresholds sit where rounding carries over.
  if (abs >= 999.5e3) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 999.5) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : DASH;
}

/** A markdown table, columns padded so it also reads well in a terminal. */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function resultsTable(rows: readonly SummaryRow[], rounds: number): string {
  const header = [
    'scenario',
    'server',
    `throughput (median of ${rounds})`,
    'min..max',
    'MB/s',
    'p50 µs',
    'p99 µs',
    'p99.9 µs',
    'srv CPU %',
    'per srv CPU-s',
    'peak RSS MiB',
    'loadgen CPU %',
    'runs ok',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.server,
    r.ok === 0 ? 'failed' : `${formatNumber(r.throughput)} ${r.unit}`,
    r.ok === 0 ? DASH : `${formatShort(r.throughputMin)}..${formatShort(r.throughputMax)}`,
    formatNumber(r.mbPerS),
    formatNumber(r.p50Us),
    formatNumber(r.p99Us),
    formatNumber(r.p999Us),
    formatNumber(r.srvCpuPct),
    formatNumber(r.perSrvCpuS),
    formatNumber(r.rssPeakMiB),
    formatNumber(r.lgCpuPct),
    `${r.ok}/${r.runs}${r.failures.length > 0 ? ` (${[...new Set(r.failures)].join(', ')})` : ''}`,
  ]);
  return markdownTable(header, body, [false, false, true, true, true, true, true, true, true, true, true, true, false]);
}

export function ratiosTable(rows: readonly RatioRow[]): string {
  const header = ['scenario', 'ratio', 'throughput', 'per srv CPU-s', 'p99 latency', 'peak RSS'];
  const body = rows.map((r) => [
    r.scenario,
    `${r.server} / ${r.baseline}`,
    formatRatio(r.throughput),
    formatRatio(r.perSrvCpuS),
    formatRatio(r.p99),
    formatRatio(r.rssPeak),
  ]);
  return markdownTable(header, body, [false, false, true, true, true, true]);
}

/**
 * One row per scenario: ours and the bare floor on each runtime, ours ÷ floor on that runtime,
 * and the textbook; each figure as throughput and per server CPU-second. Undefined unless ours
 * and the floor ran side by side on some runtime.
 */
export function runtimeTable(rows: readonly SummaryRow[], runtimes: readonly string[]): string | undefined {
  const find = (scenario: string, server: string) => rows.find((r) => r.scenario === scenario && r.server === server && r.ok > 0);
  const paired = runtimes.filter((label) => rows.some((r) => r.server === oursName(label)) && rows.some((r) => r.server === floorName(label)));
  if (paired.length === 0) return undefined;
  const cell = (row: SummaryRow | undefined) => (row ? `${formatShort(row.throughput)}; ${formatShort(row.perSrvCpuS)}` : DASH);
  const share = (a: SummaryRow | undefined, b: SummaryRow | undefined) =>
    a && b ? `${formatRatio(a.throughput / b.throughput)}; ${formatRatio(a.perSrvCpuS / b.perSrvCpuS)}` : DASH;
  const header = ['scenario', 'unit', ...paired.flatMap((label) => [`ours on ${label}`, `bare on ${label}`, `ours ÷ bare`]), 'textbook'];
  const body = SCENARIO_NAMES.filter((scenario) => rows.some((r) => r.scenario === scenario)).map((scenario) => {
    const unit = rows.find((r) => r.scenario === scenario)?.unit ?? '';
    const cells = paired.flatMap((label) => {
      const ours = find(scenario, oursName(label));
      const floor = find(scenario, floorName(label));
      return [cell(ours), cell(floor), share(ours, floor)];
    });
    return [scenario, unit, ...cells, cell(find(scenario, 'textbook'))];
  });
  return markdownTable(header, body, [false, false, ...paired.flatMap(() => [true, true, true]), true]);
}
