import { readFileSync } from 'node:fs';
import { peakRssKbOrZero, processTree } from '@sockets/testing';

/**
 * Samples VmHWM over the tree now and then, keeping each process's highest figure, so a child
 * that exits before the end still counts. The peak is the sum over processes (shared pages
 * count once per process, as the reference tool does).
 */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private pids: number[];

  constructor(
    private readonly root: number,
    intervalMs = 500,
  ) {
    this.pids = processTree(root);
    this.sample();
    this.timer = setInterval(() => {
      this.pids = processTree(this.root);
      this.sample();
    }, intervalMs);
    this.timer.unref();
  }

  sample(): void {
    for (const pid of this.pids) {
      const kb = peakRssKbOrZero(pid);
      if (kb > (this.peaks.get(pid) ?? 0)) this.peaks.set(pid, kb);
    }
  }

  /** The tree as last seen (for CPU readings between samples). */
  currentPids(): number[] {
    return this.pids;
  }

  stop(): number {
    clearInterval(this.timer);
    this.pids = processTree(this.root);
    this.sample();
    let sum = 0;
    for (const kb of this.peaks.values()) sum += kb;
    return sum;
  }
}

/** TIME_WAIT sockets in the whole system; tcp-cpm fills the table, so runs record it. */
export function timeWaitCount(): number | undefined {
  try {
    const match = /^TCP:.*\btw (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
