import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { processTree } from '@sockets/testing';

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It ignored SIGTERM for the whole grace period and was killed. */
  killed: boolean;
}

export interface ServerProcess {
  pid: number;
  command: string;
  exited(): ServerExit | undefined;
  /** The last lines the server wrote (stdout and stderr go to one log file). */
  logTail(lines?: number): string;
  stop(graceMs?: number): Promise<ServerExit>;
}

const running = new Set<ServerProcess>();

/** Stops every server still running (the bench was interrupted): they are in their own process group, so the terminal's Ctrl-C does not reach them. */
export async function stopAllServers(graceMs = 1000): Promise<void> {
  await Promise.all([...running].map((server) => server.stop(graceMs)));
}

/**
 * Starts `command` through bash (`exec`, so the shell becomes the server) in its own process
 * group, with its output in `logFile`. Stop sends SIGTERM, waits, then SIGKILLs the server and
 * every process that was under it.
 */
export function startServerProcess(command: string, logFile: string): ServerProcess {
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn('bash', ['-c', `exec ${command}`], { stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  let exit: ServerExit | undefined;
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, killed: false };
      resolve(exit);
    });
    child.once('error', () => {
      exit = { code: null, signal: null, killed: false };
      resolve(exit);
    });
  });
  const pid = child.pid ?? -1;

  const stop = async (graceMs = 5000): Promise<ServerExit> => {
    if (exit) return exit;
    const tree = processTree(pid);
    signal(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), graceMs)));
    let result = await Promise.race([exited, graceOver]);
    clearTimeout(timer);
    if (!result) {
      signal(pid, 'SIGKILL');
      result = { ...(await exited), killed: true };
    }
    for (const p of tree) if (p !== pid) signal(p, 'SIGKILL');
    // Anything the server left behind in its group (it was started as the group's leader).
    signal(-pid, 'SIGKILL');
    return result;
  };

  const server: ServerProcess = {
    pid,
    command,
    exited: () => exit,
    logTail(lines = 10) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs) {
      const exit = await stop(graceMs);
      running.delete(server);
      return exit;
    },
  };
  running.add(server);
  return server;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
