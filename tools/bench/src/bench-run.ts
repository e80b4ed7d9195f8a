import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadOutcome } from './load/run-load';
import type { LoadCounts } from './load/types';
import type { BenchOptions } from './options';
import { waitUntilServing } from './probe';
import { RssSampler, timeWaitCount } from './proc-tree';
import { SCENARIOS, type ScenarioName } from './scenarios';
import { freePort, treeCpuSeconds } from '@sockets/testing';
import { startServerProcess } from './server-process';

export type RunStatus = 'ok' | 'no-server' | 'load-failed' | 'mismatch' | 'server-exited' | 'closed' | 'lost' | 'timeout' | 'neterr' | 'no-replies';

/** The load generator's counts a record carries as they are (0 when no load ran). */
type RecordedCounts = Pick<LoadCounts, 'verified' | 'ops' | 'secs' | 'errors' | 'lost' | 'late' | 'timeouts' | 'closed' | 'neterr'>;

/** One scenario against one server, once: every figure the tables and the JSON file carry. */
export interface RunRecord extends RecordedCounts {
  round: number;
  scenario: ScenarioName;
  server: string;
  command: string;
  transform: string;
  status: RunStatus;
  problems: string[];
  opsPerS: number;
  /** Request payload, MB (10^6 bytes) per second. */
  mbPerS: number;
  p50Us: number | null;
  p99Us: number | null;
  p999Us: number | null;
  maxUs: number | null;
  srvCpuS: number;
  srvCpuPct: number;
  /** Operations (tcp-bulk: MB) per CPU-second of the server's process tree. */
  perSrvCpuS: number | null;
  rssPeakKb: number;
  /** CPU of the whole load generator (all threads) over the window, % of one core. */
  lgCpuPct: number;
  lgThreads: number;
  /** TIME_WAIT sockets in the system when the run started. */
  timeWait: number | null;
  serverExit: string;
}

/** The figure a scenario is ranked by: MB/s for tcp-bulk, operations per second otherwise. */
export function throughput(record: Pick<RunRecord, 'scenario' | 'opsPerS' | 'mbPerS'>): number {
  return SCENARIOS[record.scenario].kind === 'tcp-bulk' ? record.mbPerS : record.opsPerS;
}

export function statusOf(outcome: LoadOutcome | undefined, serverExitedEarly: boolean): RunStatus {
  if (!outcome) return 'no-server';
  const c = outcome.counts;
  if (outcome.fatal) return 'load-failed';
  if (c.errors > 0) return 'mismatch';
  if (serverExitedEarly) return 'server-exited';
  if (c.closed > 0) return 'closed';
  if (c.lost > 0) return 'lost';
  if (c.timeouts > 0) return 'timeout';
  if (c.neterr > 0) return 'neterr';
  if (c.ops === 0) return 'no-replies';
  return 'ok';
}

/**
 * Free port → start the server → probe until it answers → load → read its CPU and peak RSS →
 * stop it (SIGTERM, then SIGKILL for it and everything under it).
 */
export async function benchOnce(
  options: BenchOptions,
  workerScript: string,
  round: number,
  scenario: ScenarioName,
  server: string,
  template: string,
): Promise<RunRecord> {
  const shape = SCENARIOS[scenario];
  const port = await freePort();
  const command = template.replaceAll('{port}', String(port)).replaceAll('{transform}', options.transform);
  const logDir = mkdtempSync(join(tmpdir(), 'bench-server-'));
  const proc = startServerProcess(command, join(logDir, 'server.log'));
  let outcome: LoadOutcome | undefined;
  const cpu = { start: 0, end: 0 };
  let rssPeakKb = 0;
  let timeWait: number | null = null;
  let exitedEarly = false;
  const problems: string[] = [];
  let serverExit = 'running';
  try {
    const up = await waitUntilServing(shape.protocol, options.host, port, options.startupTimeoutS * 1000, () => proc.exited() === undefined);
    if (!up) {
      problems.push(`server did not answer on ${shape.protocol} ${options.host}:${port} within ${options.startupTimeoutS} s; its last output: ${proc.logTail()}`);
    } else {
      timeWait = timeWaitCount() ?? null;
      const rss = new RssSampler(proc.pid);
      outcome = await runLoad(
        workerScript,
        {
          job: {
            kind: shape.kind,
            host: options.host,
            port,
            transform: options.transform,
            window: shape.window,
            size: options.size,
            udpTimeoutMs: options.udpTimeoutMs,
            opTimeoutMs: 5000,
            bulkBytes: options.bulkMib * 1024 * 1024,
            bulkLines: options.bulkLines,
            bulkTimeoutMs: 120_000,
          },
          streams: shape.streams,
          threads: options.threads,
          warmupS: options.warmupS,
          durationS: options.durationS,
          toCompletion: shape.kind === 'tcp-bulk',
        },
        {
          onWindowStart: () => (cpu.start = treeCpuSeconds(rss.currentPids())),
          onWindowEnd: () => (cpu.end = treeCpuSeconds(rss.currentPids())),
        },
      ).finally(() => (rssPeakKb = rss.stop()));
      exitedEarly = proc.exited() !== undefined;
      if (outcome.fatal) problems.push(outcome.fatal);
      if (exitedEarly) problems.push(`server exited during the run (${describeExit(proc.exited())}); its last output: ${proc.logTail()}`);
    }
  } finally {
    serverExit = describeExit(await proc.stop());
    rmSync(logDir, { recursive: true, force: true });
  }

  const c = outcome?.counts;
  const secs = c?.secs || 0;
  const srvCpuS = Math.max(0, cpu.end - cpu.start);
  const windowS = outcome?.windowS || secs || 1;
  const mbPerS = c && secs > 0 ? c.bytes / secs / 1e6 : 0;
  const opsPerS = c && secs > 0 ? c.ops / secs : 0;
  const hasLatency = !!c && c.hist.count > 0;
  const us = (ns: number) => (hasLatency ? Math.round(ns / 100) / 10 : null);
  const isBulk = shape.kind === 'tcp-bulk';
  return {
    round,
    scenario,
    server,
    command,
    transform: options.transform,
    status: statusOf(outcome, exitedEarly),
    problems: [...problems, ...(c?.problems ?? [])],
    verified: c?.verified ?? 0,
    ops: c?.ops ?? 0,
    secs,
    opsPerS,
    mbPerS,
    p50Us: us(c?.hist.quantile(0.5) ?? 0),
    p99Us: us(c?.hist.quantile(0.99) ?? 0),
    p999Us: us(c?.hist.quantile(0.999) ?? 0),
    maxUs: us(c?.hist.max ?? 0),
    errors: c?.errors ?? 0,
    lost: c?.lost ?? 0,
    late: c?.late ?? 0,
    timeouts: c?.timeouts ?? 0,
    closed: c?.closed ?? 0,
    neterr: c?.neterr ?? 0,
    srvCpuS,
    srvCpuPct: (100 * srvCpuS) / windowS,
    perSrvCpuS: srvCpuS > 0 && c ? (isBulk ? c.bytes / 1e6 : c.ops) / srvCpuS : null,
    rssPeakKb,
    lgCpuPct: outcome ? (100 * outcome.loadCpuS) / windowS : 0,
    lgThreads: Math.min(options.threads, shape.streams),
    timeWait,
    serverExit,
  };
}

function describeExit(exit: { code: number | null; signal: string | null; killed?: boolean } | undefined): string {
  if (!exit) return 'running';
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  return exit.killed ? `${how} (killed: SIGTERM ignored)` : how;
}
