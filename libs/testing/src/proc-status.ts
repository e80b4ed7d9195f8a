import { readFileSync } from 'node:fs';

/** A process's peak resident memory (VmHWM) in KiB, from /proc; Linux only. */
export function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]);
}

/** `peakRssKb`, or 0 for a process that is gone (one of a tree that changed meanwhile). */
export function peakRssKbOrZero(pid: number): number {
  try {
    return peakRssKb(pid);
  } catch {
    return 0;
  }
}
