import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@sockets/logging';
import { describeSocketError, errorCode } from './describe-socket-error';
import { ListenError, WorkerCrashLoopError } from './errors';
import { formatAddress } from './format-address';
import type { MetricsMessage, ProbeServer } from './metrics';
import type { Service } from './service';
import { RUNTIME } from './runtime-support';
import { onStop } from './stop-signal';

export interface ServeOptions {
  /** The program's name, which starts its one-line errors. */
  program: string;
  protocol: 'tcp' | 'udp';
  host: string;
  port: number;
  transform: string;
  /** Settings an operator wants to see in the `server ready` line. */
  settings?: Record<string, unknown>;
  /** Processes serving the one port; 1 serves from this process. */
  workers: number;
  /** Where `/metrics`, `/healthz` and `/readyz` listen; undefined for none. */
  metricsPort?: number;
  logger: Logger;
  /** Makes the transport's server, called only in a process that serves, with its logger. */
  createService(logger: Logger): Service;
}

/**
 * Starts a server the one way both transports start: listen, install the stop, open the
 * probes, log `server ready`. With `workers` > 1 this process becomes a cluster primary that
 * serves nothing itself: it starts the workers, waits until each serves, replaces one that
 * dies, adds up their metrics and stops them all on a signal.
 */
export function serve(options: ServeOptions): Promise<void> {
  if (cluster.isWorker) return serveAsWorker(options);
  if (options.workers > 1) return serveAsPrimary(options);
  return serveAlone(options);
}

async function serveAlone(options: ServeOptions): Promise<void> {
  const { logger } = options;
  const service = options.createService(logger);
  const bound = await listen(service, options);
  let ready = true;
  let probes: ProbeServer | undefined;
  if (options.metricsPort !== undefined) {
    const { createServiceRegistry } = await loadMetrics();
    const registry = createServiceRegistry(service.stats, options.protocol);
    probes = await openProbes(options, () => registry.metrics(), () => ready).catch(async (error: unknown) => {
      await service.stop();
      throw error;
    });
  }
  // Before `server ready`: whoever waits for that line may signal at once.
  onStop(
    async () => {
      ready = false;
      await service.stop();
      await probes?.close();
    },
    { logger },
  );
  logReady(options, bound, { metricsPort: probes?.port });
}

/** Messages between a cluster primary and its workers (and metrics.ts's, when metrics are on). */
type WorkerMessage = { kind: 'ready'; address: string; port: number } | { kind: 'failed'; message: string } | MetricsMessage;
type PrimaryMessage = { kind: 'stop' };

async function serveAsWorker(options: ServeOptions): Promise<void> {
  // Every line a worker logs says which worker it is.
  const logger = options.logger.child({ worker: cluster.worker?.id });
  const service = options.createService(logger);
  // With --port 0 and sockets of their own, the first worker's port is everyone's.
  const port = Number(process.env[WORKERS_PORT] ?? options.port);
  let bound: AddressInfo;
  try {
    bound = await listen(service, { ...options, port }, REUSE_PORT);
  } catch (error) {
    // The primary tells the user, once; this worker only reports why and leaves.
    process.send?.({ kind: 'failed', message: (error as Error).message } satisfies WorkerMessage);
    process.disconnect?.();
    process.exitCode = 1;
    return;
  }
  if (options.metricsPort !== undefined) {
    const { createServiceRegistry, reportMetricsToPrimary } = await loadMetrics();
    reportMetricsToPrimary(createServiceRegistry(service.stats, options.protocol));
  }
  const stop = onStop(() => service.stop(), { logger });
  process.on('message', (message: PrimaryMessage) => {
    if (message?.kind === 'stop') stop('primary');
  });
  process.send?.({ kind: 'ready', address: bound.address, port: bound.port } satisfies WorkerMessage);
}

/**
 * Where the kernel can spread connections and datagrams over several sockets on one port
 * (SO_REUSEPORT: Linux, with Node 22.12 or later, or Bun), each worker listens on its own: no
 * hop through the primary per connection, and no shared socket for the workers to contend for.
 * Elsewhere, Node's cluster shares the port out: round-robin through the primary for TCP, one
 * socket for all workers for UDP.
 */
const REUSE_PORT = RUNTIME.reusePort;

/** The environment variable by which a primary gives its workers the port to share. */
const WORKERS_PORT = 'SOCKETS_WORKERS_PORT';

/** Deaths within this window that mean a worker cannot stay up: stop instead of spinning. */
const CRASH_LOOP = { deaths: 5, windowMs: 10_000 };

async function serveAsPrimary(options: ServeOptions): Promise<void> {
  const { logger, workers: count } = options;
  let stopping = false;
  let bound: AddressInfo | undefined;
  const deaths: number[] = [];
  const ready = new Set<Worker>();
  let probes: ProbeServer | undefined;
  let onAllReady: (() => void) | undefined;
  let onFailed: ((error: Error) => void) | undefined;
  // Made before the first fork, so no report of a worker is missed.
  const metrics = options.metricsPort === undefined ? undefined : new (await loadMetrics()).ClusterMetrics();

  // With sockets of their own, the workers after the first bind the port the first one got.
  let portForWorkers: number | undefined = REUSE_PORT && options.port !== 0 ? options.port : undefined;
  const fork = (): void => {
    const worker = cluster.fork(portForWorkers === undefined ? {} : { [WORKERS_PORT]: String(portForWorkers) });
    worker.on('message', (message: WorkerMessage) => {
      if (message?.kind === 'ready') {
        bound ??= { address: message.address, port: message.port, family: '' };
        ready.add(worker);
        if (REUSE_PORT && portForWorkers === undefined) {
          portForWorkers = message.port;
          for (let i = 1; i < count; i++) fork();
        }
        if (ready.size === count) onAllReady?.();
      } else if (message?.kind === 'failed') {
        onFailed?.(new ListenError(message.message));
      } else {
        metrics?.onMessage(worker.id, message);
      }
    });
    worker.on('exit', (code, signal) => {
      ready.delete(worker);
      metrics?.onExit(worker.id);
      if (stopping) return;
      const now = performance.now();
      deaths.push(now);
      while (deaths.length > 0 && now - deaths[0] > CRASH_LOOP.windowMs) deaths.shift();
      if (deaths.length >= CRASH_LOOP.deaths) {
        const error = new WorkerCrashLoopError(
          `${options.program}: ${deaths.length} workers died within ${CRASH_LOOP.windowMs / 1000} s (the last with ${signal ?? `code ${code}`}); stopping`,
        );
        logger.fatal({ code: error.code, deaths: deaths.length, windowMs: CRASH_LOOP.windowMs }, 'workers keep dying, stopping');
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
        stopping = true;
        // The probe listener would keep this process alive, and healthy, with no worker left.
        void stopWorkers().then(() => probes?.close());
        return;
      }
      const replace = (): void => {
        if (stopping) return;
        logger.warn({ workerPid: worker.process.pid, code, signal }, 'worker died, replacing it');
        fork();
      };
      // A worker that stopped cleanly most likely got the signal that is on its way to us too
      // (Ctrl-C reaches the whole process group): give it a moment before replacing the worker.
      if (code === 0) setTimeout(replace, 250);
      else replace();
    });
  };

  const stopWorkers = async (): Promise<void> => {
    const exits = Object.values(cluster.workers ?? {}).map((worker) => {
      if (!worker || worker.isDead()) return Promise.resolve();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // A worker whose listen failed disconnects on its own: the send can race that and fail
      // with EPIPE, which unhandled would crash this process with a stack trace.
      const kill = (): void => worker.kill('SIGTERM');
      if (!worker.isConnected()) kill();
      else
        worker.send({ kind: 'stop' } satisfies PrimaryMessage, (error) => {
          if (error) kill();
        });
      return exited;
    });
    await Promise.all(exits);
  };

  await new Promise<void>((resolve, reject) => {
    onAllReady = resolve;
    onFailed = reject;
    // A port still to learn (--port 0 with reusePort) is learnt from the first worker.
    const first = REUSE_PORT && portForWorkers === undefined ? 1 : count;
    for (let i = 0; i < first; i++) fork();
  }).catch(async (error: unknown) => {
    stopping = true;
    await stopWorkers();
    throw error;
  });
  onFailed = (error) => logger.error({ err: error }, 'a replacement worker could not listen');

  if (metrics) {
    probes = await openProbes(options, () => metrics.text([...ready]), () => !stopping).catch(async (error: unknown) => {
      stopping = true;
      await stopWorkers();
      throw error;
    });
  }
  onStop(
    async () => {
      stopping = true;
      await stopWorkers();
      await probes?.close();
    },
    { logger },
  );
  logReady(options, bound as AddressInfo, { workers: count, balancing: REUSE_PORT ? 'reuseport' : 'cluster', metricsPort: probes?.port });
}

/** Listens, or fails with the one line a user reads, also logged for whoever reads the JSON. */
async function listen(service: Service, options: ServeOptions, reusePort = false): Promise<AddressInfo> {
  try {
    return await service.listen(options.host, options.port, { reusePort });
  } catch (error) {
    throw listenError(options, options.port, error, options.protocol === 'udp' ? 'cannot bind' : 'cannot listen on');
  }
}

/** prom-client and the HTTP server, loaded only when metrics are on: without, they cost no memory. */
function loadMetrics(): Promise<typeof import('./metrics')> {
  return import('./metrics');
}

async function openProbes(options: ServeOptions, metrics: () => Promise<string>, isReady: () => boolean): Promise<ProbeServer> {
  const port = options.metricsPort as number;
  const { startProbeServer, absentDefaultMetrics } = await loadMetrics();
  let probes: ProbeServer;
  try {
    probes = await startProbeServer({ host: options.host, port, metrics, isReady, logger: options.logger });
  } catch (error) {
    throw listenError(options, port, error, 'cannot listen for metrics on');
  }
  const absent = absentDefaultMetrics();
  if (absent.length > 0) options.logger.info({ runtime: RUNTIME.name, absent }, 'this runtime reports nothing for some default metrics');
  return probes;
}

function listenError(options: ServeOptions, port: number, error: unknown, what: string): ListenError {
  const reason = describeSocketError(error);
  options.logger.fatal({ code: errorCode(error), address: options.host, port, reason }, `${what} ${formatAddress(options.host, port)}`);
  return new ListenError(`${options.program}: ${what} ${formatAddress(options.host, port)}: ${reason}`, { cause: error });
}

function logReady(options: ServeOptions, bound: AddressInfo, extra: { workers?: number; balancing?: string; metricsPort?: number }): void {
  const { protocol, transform, settings } = options;
  options.logger.info({ protocol, address: bound.address, port: bound.port, transform, ...settings, ...extra, runtime: RUNTIME.name }, 'server ready');
}
