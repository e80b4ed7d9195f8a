import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The live child processes of `pid` (a cluster primary's workers), from /proc; Linux only. */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text !== '') pids.push(...text.split(/\s+/).map(Number));
    } catch {
      // The thread ended while we read: it has no children to report.
    }
  }
  return [...new Set(pids)];
}

/**
 * Which of `pids` holds the server side of a TCP connection: the one whose local port is
 * `serverPort` and whose peer is at `peerPort`, found by its socket inode in /proc/net/tcp
 * (and tcp6) and in each process's open files. Undefined when none of them holds it (yet).
 */
export function tcpConnectionOwner(pids: number[], serverPort: number, peerPort: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      if (port(fields[1]) === serverPort && port(fields[2]) === peerPort && fields[9] !== '0') inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return pid;
    }
  }
  return undefined;
}

/** Whether `pid` is running: not gone, and not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
