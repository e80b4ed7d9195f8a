import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { rateLimitedWarning, type Logger } from '@sockets/logging';
import type { ServiceStats } from './service';

/**
 * The registry of one serving process: Node's default process metrics, and our counters read
 * from `stats` at scrape time (prom-client's `collect`), so the data path only adds to plain
 * numbers. Names follow Prometheus conventions: base units, `_total` on counters, and no label
 * that grows with traffic (no peer addresses).
 */
export function createServiceRegistry(stats: ServiceStats, protocol: 'tcp' | 'udp'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Absent, not a zero that reads as "no open handles".
  for (const name of absentDefaultMetrics()) registry.removeSingleMetric(name);
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  counter('sockets_messages_total', 'Messages answered.', () => stats.messages);
  counter('sockets_received_bytes_total', 'Bytes received from clients.', () => stats.bytesReceived);
  counter('sockets_sent_bytes_total', 'Reply bytes sent to clients.', () => stats.bytesSent);
  if (protocol === 'tcp') {
    counter('sockets_connections_accepted_total', 'TCP connections accepted and served.', () => stats.connectionsAccepted);
    counter('sockets_connections_rejected_total', 'TCP connections closed at once, over --max-connections.', () => stats.connectionsRejected);
    new Gauge({
      name: 'sockets_connections_open',
      help: 'TCP connections open now.',
      registers: [registry],
      collect() {
        this.set(stats.connectionsOpen);
      },
    });
  }
  new Counter({
    name: 'sockets_errors_total',
    help: 'Failed exchanges, by reason: a socket error code, or reply_too_large (UDP).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of stats.errors) this.inc({ reason }, count);
    },
  });
  return registry;
}

/**
 * Node's default process metrics that this runtime gives prom-client nothing for: Bun reports
 * no garbage collections, and no handles or resources. Those are left out of the registry, so
 * a dashboard sees them absent rather than zero. Asked once a socket listens: a runtime that
 * reports resources at all reports that one.
 */
export function absentDefaultMetrics(): string[] {
  const absent: string[] = [];
  // A static member Node has had since 16; the Node 20 types leave it out.
  const { supportedEntryTypes } = PerformanceObserver as unknown as { supportedEntryTypes: readonly string[] };
  if (!supportedEntryTypes.includes('gc')) absent.push('nodejs_gc_duration_seconds');
  if (process.getActiveResourcesInfo().length === 0) {
    absent.push('nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_resources', 'nodejs_active_resources_total');
  }
  return absent;
}

/** What a worker sends its primary: its metrics, in prom-client's JSON form. */
export type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
export type MetricsMessage = { kind: 'metrics'; request?: number; metrics: WorkerMetrics };
type MetricsRequest = { kind: 'metrics?'; request: number };

/** How often a worker reports its metrics unasked, so a worker that dies takes at most this much of its count with it. */
const REPORT_MS = 1000;
/** How long a scrape waits for the workers' fresh figures before it answers with their last reports. */
const ASK_MS = 500;

/**
 * In a cluster worker: report this process's metrics to the primary every REPORT_MS, and at
 * once when the primary asks for a scrape.
 */
export function reportMetricsToPrimary(registry: Registry): void {
  const report = (request?: number): void => {
    void registry.getMetricsAsJSON().then((metrics) => {
      // With a callback, a primary that has gone is no 'error' event to crash this worker.
      if (process.connected) process.send?.({ kind: 'metrics', request, metrics } satisfies MetricsMessage, undefined, undefined, () => undefined);
    });
  };
  setInterval(report, REPORT_MS).unref();
  process.on('message', (message: MetricsRequest) => {
    if (message?.kind === 'metrics?') report(message.request);
  });
}

/**
 * In a cluster primary: the workers' metrics, added up. Each worker's latest report is kept, and
 * a worker that dies leaves its counters behind (its last report of every counter and histogram;
 * its gauges, such as open connections, go with it), so a total never goes down while the server
 * runs: Prometheus would read a drop as a counter reset. A scrape asks the workers that serve for
 * fresh figures and waits at most ASK_MS for them, never for a worker that is starting; whoever
 * has not answered by then counts with their last report.
 */
export class ClusterMetrics {
  private readonly latest = new Map<number, WorkerMetrics>();
  /** The last report of each worker that died, its counters and histograms only. */
  private readonly departed: WorkerMetrics[] = [];
  /** Workers that have exited: a report of theirs still in flight must not count them twice. */
  private readonly gone = new Set<number>();
  private requests = 0;
  private readonly waiting = new Map<number, { pending: Set<number>; done: () => void }>();

  /** A worker's message, if it is one of ours. */
  onMessage(workerId: number, message: MetricsMessage): void {
    if (message?.kind !== 'metrics' || this.gone.has(workerId)) return;
    this.latest.set(workerId, message.metrics);
    const waiting = message.request === undefined ? undefined : this.waiting.get(message.request);
    if (waiting?.pending.delete(workerId) && waiting.pending.size === 0) waiting.done();
  }

  /** A worker died: its counters stay in the totals, as of its last report. */
  onExit(workerId: number): void {
    this.gone.add(workerId);
    const last = this.latest.get(workerId);
    this.latest.delete(workerId);
    for (const waiting of this.waiting.values()) if (waiting.pending.delete(workerId) && waiting.pending.size === 0) waiting.done();
    // prom-client's types declare `type` an enum; its reports carry the names.
    const cumulative = (metric: { type: unknown }) => metric.type === 'counter' || metric.type === 'histogram';
    if (last) this.departed.push(last.filter(cumulative));
  }

  /** The text exposition over all workers, living and dead; `serving` are the workers to ask. */
  async text(serving: ReadonlyArray<{ id: number; send(message: MetricsRequest, callback: (error: Error | null) => void): unknown; isConnected(): boolean }>): Promise<string> {
    const request = ++this.requests;
    const asked = serving.filter((worker) => worker.isConnected());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ASK_MS);
      const pending = new Set(asked.map((worker) => worker.id));
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiting.set(request, { pending, done: finish });
      if (pending.size === 0) finish();
      // A worker on its way out fails the send (EPIPE): with a callback that is no 'error' event
      // to crash this process, and the worker's last report stands.
      for (const worker of asked) worker.send({ kind: 'metrics?', request }, () => undefined);
    });
    this.waiting.delete(request);
    const text = await AggregatorRegistry.aggregate([...this.latest.values(), ...this.departed]).metrics();
    await this.foldDeparted();
    return text;
  }

  /**
   * Adds up the reports of dead workers into one, so a server that replaces workers for months
   * keeps one report of them, not one each. Those folded stay in the list until the sum takes
   * their place, so a scrape meanwhile still counts them.
   */
  private async foldDeparted(): Promise<void> {
    if (this.departed.length < 2) return;
    const folding = this.departed.slice();
    const sum = await AggregatorRegistry.aggregate(folding).getMetricsAsJSON();
    this.departed.splice(0, folding.length, sum);
  }
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A probe endpoint is scraped by a monitor or two and polled by a balancer, nothing more: this
 * many connections at once, and a few seconds each. Anyone can reach the port, and the process
 * shares its file descriptors with the data port; without a cap, idle connections to it could
 * use them all and leave the data port resetting every new client.
 */
export const PROBE_LIMITS = {
  maxConnections: 16,
  /**
   * The longest a connection lives, whatever it does: a scrape takes well under a second, and a
   * scraper that keeps its connection alive opens another. A timer per connection, because
   * Node's own request timeouts start with a request's first byte, and on Node 20 a timer of
   * a connection never fired once `headersTimeout` and `connectionsCheckingInterval` were set.
   */
  lifetimeMs: 5000,
};

/**
 * `/metrics`, `/healthz` and `/readyz` on `host:port`. Ready means taking work: `/readyz`
 * answers 503 from the first stop signal on, so a balancer stops sending before connections
 * drain, while `/healthz` stays 200 as long as the process runs. Sized for a probe endpoint
 * (PROBE_LIMITS): a connection over the cap is closed at once and warned of, a line a second.
 */
export function startProbeServer(options: {
  host: string;
  port: number;
  metrics: () => Promise<string>;
  isReady: () => boolean;
  logger: Logger;
}): Promise<ProbeServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') return options.isReady() ? reply(200, 'ready\n') : reply(503, 'stopping\n');
    if (path !== '/metrics') return reply(404, 'not found: try /metrics, /healthz or /readyz\n');
    options.metrics().then(
      (text) => reply(200, text, Registry.PROMETHEUS_CONTENT_TYPE),
      (error: Error) => reply(500, `metrics unavailable: ${error.message}\n`),
    );

    function reply(status: number, body: string, type = 'text/plain; charset=utf-8'): void {
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      response.end(request.method === 'HEAD' ? undefined : body);
    }
  });
  server.maxConnections = PROBE_LIMITS.maxConnections;
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), PROBE_LIMITS.lifetimeMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  const warnOverCap = rateLimitedWarning(options.logger, 'metrics connection over the cap closed');
  server.on('drop', (peer) => warnOverCap({ remoteAddress: peer?.remoteAddress, remotePort: peer?.remotePort, maxConnections: PROBE_LIMITS.maxConnections }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, ipv6Only: false }, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // A scraper's kept-alive connection would hold the close open.
            server.closeAllConnections();
          }),
      });
    });
  });
}
