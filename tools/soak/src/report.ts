import type { Counters } from './counters';

export interface ServerReading {
  name: string;
  rssMiB: number | undefined;
  fds: number | undefined;
}

const COLUMN = 20;

const cell = (text: string, width = COLUMN) => text.padStart(width);
const mib = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));
const num = (value: number | undefined) => (value === undefined ? '-' : String(value));

/** Two header lines: server names over `RSS MiB / fds`, then the counters. */
export function header(names: readonly string[]): string {
  const counts = ['tcp sent', 'answered', 'udp sent', 'answered', 'mismatch', 'errors', 'lost'];
  return [
    `${cell('', 6)}${names.map((name) => cell(name)).join('')}`,
    `${cell('t s', 6)}${names.map(() => cell('RSS MiB / fds')).join('')}${counts.map((c) => cell(c, 11)).join('')}`,
  ].join('\n');
}

export function row(elapsedS: number, readings: readonly ServerReading[], counters: Counters): string {
  const { tcp, udp } = counters;
  const counts = [tcp.sent, tcp.answered, udp.sent, udp.answered, tcp.mismatches + udp.mismatches, tcp.errors + udp.errors, tcp.lost + udp.lost];
  return `${cell(elapsedS.toFixed(0), 6)}${readings.map((r) => cell(`${mib(r.rssMiB)} / ${num(r.fds)}`)).join('')}${counts.map((c) => cell(String(c), 11)).join('')}`;
}

export { mib, num };
