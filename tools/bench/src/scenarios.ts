/**
 * The five load shapes. They match the presets of the independent C load generator used for the
 * project's reference figures, so the two tools' numbers can be read side by side.
 */
export const SCENARIO_NAMES = ['tcp-pipe', 'tcp-cpm', 'tcp-bulk', 'udp-rr', 'udp-rr-w16'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export type Protocol = 'tcp' | 'udp';
export type LoadKind = 'tcp-pipe' | 'tcp-cpm' | 'tcp-bulk' | 'udp-rr';

export interface Scenario {
  name: ScenarioName;
  protocol: Protocol;
  kind: LoadKind;
  /** Connections (tcp-pipe), concurrent workers (tcp-cpm) or sockets (udp); bulk uses one. */
  streams: number;
  /** Messages in flight per stream. */
  window: number;
  /** What one operation is called in the table. */
  unit: string;
  summary: string;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'tcp-pipe': {
    name: 'tcp-pipe',
    protocol: 'tcp',
    kind: 'tcp-pipe',
    streams: 50,
    window: 16,
    unit: 'lines/s',
    summary: '50 connections, 16 lines in flight on each',
  },
  'tcp-cpm': {
    name: 'tcp-cpm',
    protocol: 'tcp',
    kind: 'tcp-cpm',
    streams: 8,
    window: 1,
    unit: 'msg/s',
    summary: 'connection per message (connect, one line, read the reply, close), 8 workers',
  },
  'tcp-bulk': {
    name: 'tcp-bulk',
    protocol: 'tcp',
    kind: 'tcp-bulk',
    streams: 1,
    window: 1,
    unit: 'MB/s',
    summary: 'one connection streams huge lines and reads them back at the same time',
  },
  'udp-rr': {
    name: 'udp-rr',
    protocol: 'udp',
    kind: 'udp-rr',
    streams: 8,
    window: 1,
    unit: 'req/s',
    summary: '8 sockets, stop-and-wait; no reply within the timeout counts a loss',
  },
  'udp-rr-w16': {
    name: 'udp-rr-w16',
    protocol: 'udp',
    kind: 'udp-rr',
    streams: 8,
    window: 16,
    unit: 'req/s',
    summary: '8 sockets, 16 datagrams in flight on each',
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}
