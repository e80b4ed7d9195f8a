import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EXIT } from '@sockets/cli';
import { benchOnce, throughput, type RunRecord } from './bench-run';
import { prepareOutput, type BenchOptions } from './options';
import { renderChart } from './report/chart-svg';
import { describeMachine, machineInfo } from './report/machine';
import { ratios, summarize } from './report/summary';
import { formatNumber, ratiosTable, resultsTable, runtimeTable } from './report/table';
import { SCENARIOS } from './scenarios';
import { stopAllServers } from './server-process';

/**
 * Rounds × scenarios × servers, servers in alternating order from round to round so that a
 * drifting machine does not always favour the same one; then the tables, the JSON file and the
 * chart. Exit status 1 when any run failed.
 */
export async function runBench(options: BenchOptions, bundlePath: string): Promise<number> {
  prepareOutput(options);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping the server under test\n`);
      void stopAllServers().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  const machine = machineInfo(options.runtimes);
  const log = (text: string) => process.stderr.write(`${text}\n`);
  log(`bench: ${describeMachine(machine)}; ${options.rounds} round(s) of ${options.warmupS} s warm-up + ${options.durationS} s, ${options.threads} load threads, transform ${options.transform}`);

  const runs: RunRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios) {
      const servers = options.servers.filter((s) => s.commands.has(scenario) && !(s.upperOnly && options.transform !== 'upper'));
      if (round % 2 === 0) servers.reverse();
      for (const server of servers) {
        const record = await benchOnce(options, bundlePath, round, scenario, server.name, server.commands.get(scenario) as string);
        runs.push(record);
        log(progressLine(record, options));
      }
    }
  }
  if (runs.length === 0) {
    log('bench: no server takes part in the selected scenarios');
    return EXIT.FAILURE;
  }

  const summary = summarize(runs);
  const ratioRows = ratios(summary, options.baselines);
  const when = new Date().toISOString();
  const subtitle = `${options.transform}, ${options.size}-byte messages, medians of ${options.rounds} round(s) of ${options.durationS} s; ${describeMachine(machine)}`;
  const jsonPath = join(options.outDir, `${options.label}.json`);
  const svgPath = join(options.outDir, `${options.label}.svg`);
  const settings = { ...options, servers: options.servers.map((s) => ({ name: s.name, upperOnly: s.upperOnly, commands: Object.fromEntries(s.commands) })) };
  writeFileSync(jsonPath, `${JSON.stringify({ tool: 'bench', createdAt: when, machine, options: settings, summary, ratios: ratioRows, runs }, null, 2)}\n`);
  writeFileSync(svgPath, renderChart(summary, 'Uppercase servers under load', subtitle));

  const out: string[] = [`## Results (${when})`, '', subtitle, '', resultsTable(summary, options.rounds), ''];
  if (ratioRows.length > 0) out.push(`Ratios (median ÷ median; p99 and RSS: lower is better):`, '', ratiosTable(ratioRows), '');
  const byRuntime = runtimeTable(summary, options.runtimes.map((r) => r.label));
  if (byRuntime) out.push('By runtime (throughput; per server CPU-second):', '', byRuntime, '');
  const saturated = summary.filter((r) => r.lgCpuPct >= 85 * Math.min(options.threads, SCENARIOS[r.scenario].streams));
  if (saturated.length > 0) {
    out.push(
      `Load generator near its limit (≥ 85% of each of its threads) in: ${saturated.map((r) => `${r.scenario} ${r.server} (${formatNumber(r.lgCpuPct)}%)`).join(', ')}.`,
      'There the figure is what this load generator could drive on this machine: a floor for the server; compare per server CPU-s.',
      '',
    );
  }
  const failed = runs.filter((r) => r.status !== 'ok');
  for (const run of failed) out.push(`FAILED round ${run.round} ${run.scenario} ${run.server}: ${run.status}${run.problems.length > 0 ? ` — ${run.problems.join('; ')}` : ''}`);
  out.push(`results: ${relative(process.cwd(), jsonPath)}`, `chart: ${relative(process.cwd(), svgPath)}`, '');
  process.stdout.write(out.join('\n'));
  return failed.length > 0 ? EXIT.FAILURE : EXIT.OK;
}

function progressLine(r: RunRecord, options: BenchOptions): string {
  const unit = SCENARIOS[r.scenario].unit;
  const latency = r.p99Us !== null ? ` p50 ${formatNumber(r.p50Us ?? 0)} µs p99 ${formatNumber(r.p99Us)} µs` : '';
  return (
    `[${r.round}/${options.rounds}] ${r.scenario} ${r.server}: ${formatNumber(throughput(r))} ${unit}${latency}, ` +
    `srv CPU ${formatNumber(r.srvCpuPct)}%, RSS ${formatNumber(r.rssPeakKb / 1024)} MiB, loadgen CPU ${formatNumber(r.lgCpuPct)}%, ` +
    `${r.verified} replies verified, ${r.status}${r.problems.length > 0 ? ` (${r.problems[0]})` : ''}`
  );
}
