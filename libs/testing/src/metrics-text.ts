import { httpGet } from './http-get';

/** Samples of a Prometheus text exposition, keyed by `metricKey` (name and sorted labels). */
export type MetricSamples = Map<string, number>;

/** `name` alone, or `name{a="1",b="2"}` with labels sorted, as `parseMetrics` keys them. */
export function metricKey(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => `${label}=${JSON.stringify(labels[label])}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/**
 * Parses the text format (version 0.0.4): comments and blank lines skipped, each sample line
 * `name{labels} value [timestamp]`. Throws on a line it cannot read, so a malformed exposition
 * fails the test rather than reading as a missing metric.
 */
export function parseMetrics(text: string): MetricSamples {
  const samples: MetricSamples = new Map();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const [, name, labelText = '', valueText] = match;
    const labels: Record<string, string> = {};
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let rest = labelText.length;
    for (let label = labelPattern.exec(labelText); label; label = labelPattern.exec(labelText)) {
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
      rest = labelText.length - labelPattern.lastIndex;
    }
    if (labelText !== '' && rest !== 0) throw new Error(`unreadable labels in ${JSON.stringify(line)}`);
    samples.set(metricKey(name, labels), parseValue(valueText));
  }
  return samples;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // prom-client writes NaN as `Nan`; Prometheus reads any case, as Go's ParseFloat does.
  if (text.toLowerCase() === 'nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}

/** The sample of `name` with exactly `labels`, or undefined when the exposition has none. */
export function metricValue(samples: MetricSamples, name: string, labels?: Record<string, string>): number | undefined {
  return samples.get(metricKey(name, labels));
}

/** GET /metrics, which must answer 200 in the Prometheus text format, parsed. */
export async function scrapeMetrics(port: number, host?: string): Promise<MetricSamples> {
  const response = await httpGet(port, '/metrics', { host });
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${response.body}`);
  return parseMetrics(response.body);
}

/** GET /metrics, timed: its status, how long it took, and `sockets_messages_total` when it answered 200. */
export async function scrapeMessages(port: number): Promise<{ status: number; ms: number; messages: number | undefined }> {
  const started = performance.now();
  const response = await httpGet(port, '/metrics', { timeoutMs: 10_000 });
  const ms = performance.now() - started;
  const messages = response.status === 200 ? metricValue(parseMetrics(response.body), 'sockets_messages_total') : undefined;
  return { status: response.status, ms, messages };
}
