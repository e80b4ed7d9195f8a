import { throughput, type RunRecord } from '../bench-run';
import { SCENARIOS, type ScenarioName } from '../scenarios';
import { median, minMax, ratio } from '../stats';

/** Medians over the rounds that passed; a failed run never feeds a figure. */
export interface SummaryRow {
  scenario: ScenarioName;
  server: string;
  runs: number;
  ok: number;
  /** Statuses of the runs that failed, for the table. */
  failures: string[];
  throughput: number;
  throughputMin: number;
  throughputMax: number;
  unit: string;
  mbPerS: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  srvCpuPct: number;
  perSrvCpuS: number;
  rssPeakMiB: number;
  lgCpuPct: number;
}

export interface RatioRow {
  scenario: ScenarioName;
  server: string;
  baseline: string;
  throughput: number;
  perSrvCpuS: number;
  p99: number;
  rssPeak: number;
}

export function summarize(runs: readonly RunRecord[]): SummaryRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = `${run.scenario}\u0000${run.server}`;
    const group = groups.get(key);
    if (group) group.push(run);
    else groups.set(key, [run]);
  }
  const rows: SummaryRow[] = [];
  for (const group of groups.values()) {
    const { scenario, server } = group[0];
    const ok = group.filter((r) => r.status === 'ok');
    const pick = (f: (r: RunRecord) => number | null) => median(ok.map((r) => f(r) ?? Number.NaN));
    const range = minMax(ok.map(throughput));
    rows.push({
      scenario,
      server,
      runs: group.length,
      ok: ok.length,
      failures: group.filter((r) => r.status !== 'ok').map((r) => r.status),
      throughput: pick(throughput),
      throughputMin: range.min,
      throughputMax: range.max,
      unit: SCENARIOS[scenario].unit,
      mbPerS: pick((r) => r.mbPerS),
      p50Us: pick((r) => r.p50Us),
      p99Us: pick((r) => r.p99Us),
      p999Us: pick((r) => r.p999Us),
      srvCpuPct: pick((r) => r.srvCpuPct),
      perSrvCpuS: pick((r) => r.perSrvCpuS),
      rssPeakMiB: pick((r) => r.rssPeakKb / 1024),
      lgCpuPct: pick((r) => r.lgCpuPct),
    });
  }
  const order = Object.keys(SCENARIOS);
  return rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
}

/**
 * Median over median, where both ran the scenario: each baseline in turn against every server
 * that is not a baseline and every baseline after it. With textbook then bare-node that gives
 * ours/textbook, bare-node/textbook and ours/bare-node, and not the same pair twice.
 */
export function ratios(rows: readonly SummaryRow[], baselines: readonly string[]): RatioRow[] {
  const out: RatioRow[] = [];
  baselines.forEach((baseline, i) => {
    const compared = (server: string) => server !== baseline && !baselines.slice(0, i).includes(server);
    for (const base of rows.filter((r) => r.server === baseline)) {
      for (const row of rows.filter((r) => r.scenario === base.scenario && compared(r.server))) {
        out.push({
          scenario: row.scenario,
          server: row.server,
          baseline,
          throughput: ratio(row.throughput, base.throughput),
          perSrvCpuS: ratio(row.perSrvCpuS, base.perSrvCpuS),
          p99: ratio(row.p99Us, base.p99Us),
          rssPeak: ratio(row.rssPeakMiB, base.rssPeakMiB),
        });
      }
    }
  });
  const order = Object.keys(SCENARIOS);
  // Scenario by scenario, as the results table reads; sort is stable, so baselines keep their turn.
  return out.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
}
