import { Worker } from 'node:worker_threads';
import { epochNow, mergeCounts, type FromWorker, type LoadJob, type Schedule, type WorkerCounts } from './types';

export interface LoadPlan {
  job: Omit<LoadJob, 'firstStream' | 'streams'>;
  streams: number;
  threads: number;
  warmupS: number;
  durationS: number;
  /** tcp-bulk has no window: it runs to completion and is measured whole. */
  toCompletion: boolean;
}

export interface WindowHooks {
  /** Called when the measured part starts and ends (server CPU is read here). */
  onWindowStart(): void;
  onWindowEnd(): void;
}

export interface LoadOutcome {
  counts: WorkerCounts;
  /** CPU seconds this process (all threads) used during the window, and the window's wall time. */
  loadCpuS: number;
  windowS: number;
  fatal?: string;
}

/** Splits `total` streams over `threads` as evenly as possible. */
export function shares(total: number, threads: number): number[] {
  const n = Math.max(1, Math.min(threads, total));
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}

/**
 * Runs a scenario's load on worker threads (the script at `workerScript`, which calls
 * `workerMain` when it is not the main thread): all connect first, then all start together on
 * one schedule, and their counts are merged.
 */
export async function runLoad(workerScript: string, plan: LoadPlan, hooks: WindowHooks): Promise<LoadOutcome> {
  let first = 0;
  const workers = shares(plan.streams, plan.threads).map((streams) => {
    const job: LoadJob = { ...plan.job, firstStream: first, streams };
    first += streams;
    return new Worker(workerScript, { workerData: job });
  });
  const inbox = workers.map((worker) => messages(worker));
  try {
    const ready = await Promise.all(inbox.map((next) => next(30_000)));
    const failed = ready.find((m) => m.type !== 'ready');
    if (failed) return { counts: mergeCounts([]), loadCpuS: 0, windowS: 0, fatal: describe(failed) };

    const startEpoch = epochNow() + 10;
    const schedule: Schedule = plan.toCompletion
      ? { warmEndEpochMs: startEpoch, endEpochMs: Number.MAX_SAFE_INTEGER }
      : { warmEndEpochMs: startEpoch + plan.warmupS * 1000, endEpochMs: startEpoch + (plan.warmupS + plan.durationS) * 1000 };
    let cpuAtStart = process.cpuUsage();
    let wallAtStart = epochNow();
    let window: { cpu: NodeJS.CpuUsage; wall: number } | undefined;
    const windowStart = () => {
      cpuAtStart = process.cpuUsage();
      wallAtStart = epochNow();
      hooks.onWindowStart();
    };
    const windowEnd = () => {
      if (window) return;
      window = { cpu: process.cpuUsage(cpuAtStart), wall: epochNow() - wallAtStart };
      hooks.onWindowEnd();
    };
    const timers: NodeJS.Timeout[] = [];
    if (plan.toCompletion) {
      timers.push(setTimeout(windowStart, startEpoch - epochNow()));
    } else {
      timers.push(setTimeout(windowStart, schedule.warmEndEpochMs - epochNow()));
      timers.push(setTimeout(windowEnd, schedule.endEpochMs - epochNow()));
    }
    for (const worker of workers) worker.postMessage({ type: 'start', schedule });
    const limit = plan.toCompletion ? plan.job.bulkTimeoutMs + 30_000 : (plan.warmupS + plan.durationS) * 1000 + 30_000;
    const results = await Promise.all(inbox.map((next) => next(limit)));
    windowEnd();
    for (const timer of timers) clearTimeout(timer);
    const fatal = results.find((m) => m.type !== 'result');
    const counts = mergeCounts(results.flatMap((m) => (m.type === 'result' ? [m.counts] : [])));
    const used = window as { cpu: NodeJS.CpuUsage; wall: number };
    return { counts, loadCpuS: (used.cpu.user + used.cpu.system) / 1e6, windowS: used.wall / 1000, fatal: fatal && describe(fatal) };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function describe(message: FromWorker): string {
  return message.type === 'fatal' ? message.message : `load worker: unexpected ${message.type}`;
}

/** The worker's messages one at a time; an exit or a silence past `timeoutMs` becomes a fatal message. */
function messages(worker: Worker): (timeoutMs: number) => Promise<FromWorker> {
  const queue: FromWorker[] = [];
  let wake: (() => void) | undefined;
  let gone: string | undefined;
  worker.on('message', (m: FromWorker) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (error) => {
    gone = `load worker crashed: ${error.stack ?? error.message}`;
    wake?.();
  });
  worker.on('exit', (code) => {
    gone ??= `load worker exited (${code})`;
    wake?.();
  });
  return (timeoutMs) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ type: 'fatal', message: `load worker silent for ${timeoutMs} ms` }), timeoutMs);
      const check = () => {
        const next = queue.shift() ?? (gone !== undefined ? ({ type: 'fatal', message: gone } as const) : undefined);
        if (!next) return;
        wake = undefined;
        clearTimeout(timer);
        resolve(next);
      };
      wake = check;
      check();
    });
}
