import { LatencyHistogram, type HistogramData } from '../histogram';
import type { BenchTransform } from '../payload';
import type { LoadKind } from '../scenarios';

/** What one worker thread is asked to do: its share of the scenario's streams. */
export interface LoadJob {
  kind: LoadKind;
  host: string;
  port: number;
  transform: BenchTransform;
  /** Id of this worker's first stream; streams are numbered across all workers. */
  firstStream: number;
  streams: number;
  window: number;
  /** Bytes per message: a TCP line counts its LF; a datagram is all payload. */
  size: number;
  udpTimeoutMs: number;
  /** tcp-cpm: an exchange (connect, send, whole reply) taking longer fails. */
  opTimeoutMs: number;
  bulkBytes: number;
  bulkLines: number;
  bulkTimeoutMs: number;
}

/** The measurement window, in epoch milliseconds (`performance.timeOrigin + now()` in any thread). */
export interface Schedule {
  warmEndEpochMs: number;
  endEpochMs: number;
}

export interface LoadCounts {
  /** Replies completed and verified inside the window. */
  ops: number;
  /** Replies verified byte for byte over the whole run, warm-up included. */
  verified: number;
  /** Request bytes of the operations inside the window. */
  bytes: number;
  /** Replies that differ from what was owed. */
  errors: number;
  /** UDP requests with no reply within the timeout. */
  lost: number;
  /** UDP replies that came after their request was counted lost. */
  late: number;
  /** tcp-cpm exchanges or tcp-bulk runs over their time limit. */
  timeouts: number;
  /** Connections the server closed or reset before it had answered. */
  closed: number;
  /** Connects refused or failed, socket errors. */
  neterr: number;
  /** The first few problems, in words. */
  problems: string[];
  hist: HistogramData;
  /** Length of the measurement window (tcp-bulk: the whole transfer), seconds. */
  secs: number;
}

/** Counts as a worker keeps them; after a trip through postMessage the histogram is plain data. */
export type WorkerCounts = LoadCounts & { hist: LatencyHistogram };

export function emptyCounts(): WorkerCounts {
  return {
    ops: 0,
    verified: 0,
    bytes: 0,
    errors: 0,
    lost: 0,
    late: 0,
    timeouts: 0,
    closed: 0,
    neterr: 0,
    problems: [],
    hist: new LatencyHistogram(),
    secs: 0,
  };
}

const KEEP_PROBLEMS = 5;

export function noteProblem(counts: LoadCounts, text: string): void {
  if (counts.problems.length < KEEP_PROBLEMS) counts.problems.push(text);
}

export function mergeCounts(parts: readonly LoadCounts[]): WorkerCounts {
  const total = { ...emptyCounts(), hist: new LatencyHistogram() };
  for (const part of parts) {
    total.ops += part.ops;
    total.verified += part.verified;
    total.bytes += part.bytes;
    total.errors += part.errors;
    total.lost += part.lost;
    total.late += part.late;
    total.timeouts += part.timeouts;
    total.closed += part.closed;
    total.neterr += part.neterr;
    total.problems.push(...part.problems.slice(0, KEEP_PROBLEMS - total.problems.length));
    total.hist.merge(part.hist);
    total.secs = Math.max(total.secs, part.secs);
  }
  return total;
}

export type ToWorker = { type: 'start'; schedule: Schedule };
export type FromWorker = { type: 'ready' } | { type: 'result'; counts: LoadCounts } | { type: 'fatal'; message: string };

/** The same clock in every thread. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A driver connects in `prepare` (not measured) and generates load in `run`. */
export interface LoadDriver {
  run(schedule: Schedule): Promise<void>;
}
