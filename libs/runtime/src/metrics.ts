import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
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

/**
 * In a cluster worker: answer the primary's requests for this process's metrics, which the
 * primary adds up over all workers (prom-client's AggregatorRegistry does both sides).
 */
export function shareMetricsWithPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
}

/** In a cluster primary: the workers' metrics, added up. */
export function clusterMetrics(): () => Promise<string> {
  const aggregator = new AggregatorRegistry();
  return () => aggregator.clusterMetrics();
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics`, `/healthz` and `/readyz` on `host:port`. Ready means taking work: `/readyz`
 * answers 503 from the first stop signal on, so a balancer stops sending before connections
 * drain, while `/healthz` stays 200 as long as the process runs.
 */
export function startProbeServer(options: {
  host: string;
  port: number;
  metrics: () => Promise<string>;
  isReady: () => boolean;
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
