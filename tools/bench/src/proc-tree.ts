import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { peakRssKb } from '@sockets/testing';

/**
 * CPU time and peak memory of a server and every process under it, from /proc (Linux). A server
 * started through a shell, or one that forks workers, is measured as a whole.
 */
let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** ppid and utime + stime (ticks) from /proc/PID/stat; the name field may hold spaces and parens. */
function readStat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state; ppid is field 4 of the file, utime and stime fields 14 and 15.
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** `root` and its descendants that are alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readStat(pid);
    if (!stat) continue;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  const tree: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    if (tree.includes(pid)) continue;
    tree.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree.filter((pid) => pid === root || readStat(pid) !== undefined);
}

/** CPU seconds (user + system) charged so far to the live processes of the tree. */
export function treeCpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / ticksPerSecond();
}

/** VmHWM (peak resident set) of one process in KiB, 0 if it is gone. */
function peakRssKbOrZero(pid: number): number {
  try {
    return peakRssKb(pid);
  } catch {
    return 0;
  }
}

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
