import { execFileSync } from 'node:child_process';
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

/** One end of a TCP connection as /proc/net/tcp and tcp6 list it (Linux). */
interface TcpSocketEntry {
  inode: string;
  /** Bytes sent and not yet acknowledged by the peer. */
  sendQueue: number;
  /** Bytes received and not yet read by the process. */
  receiveQueue: number;
}

/** The sockets whose local port is `localPort` and whose peer is at `peerPort`. */
function tcpSockets(localPort: number, peerPort: number): TcpSocketEntry[] {
  const found: TcpSocketEntry[] = [];
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
      if (port(fields[1]) !== localPort || port(fields[2]) !== peerPort) continue;
      // fields[4] is tx_queue:rx_queue, in hex.
      const [sendQueue, receiveQueue] = fields[4].split(':').map((hex) => parseInt(hex, 16));
      found.push({ inode: fields[9], sendQueue, receiveQueue });
    }
  }
  return found;
}

/**
 * Whether the server side of a TCP connection has read every byte the peer sent: the peer's
 * side has them all acknowledged, and the server's receive queue is empty. A test that must
 * know the server holds its bytes before it acts (a signal, say) waits for this, not a sleep.
 */
export function tcpServerHasRead(serverPort: number, peerPort: number): boolean {
  const peer = tcpSockets(peerPort, serverPort);
  const server = tcpSockets(serverPort, peerPort);
  return peer.length > 0 && peer.every((s) => s.sendQueue === 0) && server.length > 0 && server.every((s) => s.receiveQueue === 0);
}

/**
 * Which of `pids` holds the server side of a TCP connection: the one whose local port is
 * `serverPort` and whose peer is at `peerPort`, found by its socket inode in /proc/net/tcp
 * (and tcp6) and in each process's open files. Undefined when none of them holds it (yet).
 */
export function tcpConnectionOwner(pids: number[], serverPort: number, peerPort: number): number | undefined {
  const inodes = new Set(tcpSockets(serverPort, peerPort).map((socket) => socket.inode).filter((inode) => inode !== '0'));
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

/**
 * `root` and its descendants that are alive now, from /proc: a server started through a shell,
 * one that forks workers, or nginx with its workers, measured as a whole.
 */
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

/** CPU seconds (user + system) charged so far to the live processes among `pids`. */
export function treeCpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / ticksPerSecond();
}
