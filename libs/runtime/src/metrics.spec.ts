import { Counter, Gauge, Registry } from 'prom-client';
import { ClusterMetrics, type MetricsMessage } from './metrics';

/** A worker's report: a counter of messages and a gauge of open connections. */
async function report(messages: number, open: number): Promise<MetricsMessage> {
  const registry = new Registry();
  new Counter({ name: 'sockets_messages_total', help: 'm', registers: [registry] }).inc(messages);
  new Gauge({ name: 'sockets_connections_open', help: 'o', registers: [registry] }).set(open);
  return { kind: 'metrics', metrics: await registry.getMetricsAsJSON() };
}

const sample = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('ClusterMetrics', () => {
  it("adds up the workers' reports, and keeps a dead worker's counters but not its gauges", async () => {
    const metrics = new ClusterMetrics();
    metrics.onMessage(1, await report(1000, 3));
    metrics.onMessage(2, await report(1000, 4));
    let text = await metrics.text([]);
    expect([sample(text, 'sockets_messages_total'), sample(text, 'sockets_connections_open')]).toEqual([2000, 7]);
    metrics.onExit(2);
    // A report it sent before it died, arriving late, does not count it twice.
    metrics.onMessage(2, await report(1000, 4));
    text = await metrics.text([]);
    expect([sample(text, 'sockets_messages_total'), sample(text, 'sockets_connections_open')]).toEqual([2000, 3]);
    metrics.onExit(1);
    metrics.onMessage(3, await report(5, 1));
    text = await metrics.text([]);
    expect([sample(text, 'sockets_messages_total'), sample(text, 'sockets_connections_open')]).toEqual([2005, 1]);
  });

  it('asks the workers that serve, answers with their last reports when they do not answer in time, and survives a send that fails', async () => {
    const metrics = new ClusterMetrics();
    metrics.onMessage(1, await report(10, 0));
    metrics.onMessage(2, await report(20, 0));
    const fresh = await report(11, 0);
    const answering = { id: 1, isConnected: () => true, send: (message: { request: number }) => metrics.onMessage(1, { ...fresh, request: message.request }) };
    // A worker on its way out: the send fails, as EPIPE does, through its callback.
    const dying = { id: 2, isConnected: () => true, send: (_message: unknown, callback: (error: Error | null) => void) => callback(new Error('write EPIPE')) };
    const started = performance.now();
    const text = await metrics.text([answering, dying]);
    expect(sample(text, 'sockets_messages_total')).toBe(31);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
