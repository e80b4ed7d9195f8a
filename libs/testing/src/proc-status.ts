import { readFileSync } from 'node:fs';

/**
 * A memory figure of a process from /proc/PID/status, in KiB: `VmRSS` is resident memory now,
 * `VmHWM` the most it has had. Undefined once the process is gone, or has exited and not yet
 * been reaped (a zombie has no memory lines). Linux only.
 */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

/** A process's peak resident memory (VmHWM) in KiB; throws if the process is gone. */
export function peakRssKb(pid: number): number {
  const kb = statusKb(pid, 'VmHWM');
  if (kb === undefined) throw new Error(`no VmHWM for process ${pid}: it is gone`);
  return kb;
}

/** `peakRssKb`, or 0 for a process that is gone (one of a tree that changed meanwhile). */
export function peakRssKbOrZero(pid: number): number {
  return statusKb(pid, 'VmHWM') ?? 0;
}
