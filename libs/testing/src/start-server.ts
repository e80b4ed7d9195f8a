import { spawn, type ChildProcess } from 'node:child_process';
import { PROGRAM_RUNTIME, distMain } from './paths';
import { onLines } from './on-lines';

export interface StartServerOptions {
  /** Extra environment; LOG_FORMAT is forced to json so log lines can be parsed. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for `server ready` (default 10 s). */
  readyTimeoutMs?: number;
}

export interface RunningServer {
  process: ChildProcess;
  pid: number;
  port: number;
  address: string;
  /** The `server ready` line. */
  ready: Record<string, unknown>;
  /** Resolves with the exit once the process has exited and all its output has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every JSON log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  /** Resolves with the first log line that `match` accepts, waiting up to `timeoutMs`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit; kills after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a built server as a child process on 127.0.0.1 port 0 (unless `args` say otherwise)
 * and resolves once it has logged `server ready`, with the port it really bound.
 */
export function startServer(app: string, args: string[] = [], options: StartServerOptions = {}): Promise<RunningServer> {
  const withDefaults = [...(args.some((a) => a.startsWith('--host')) ? [] : ['--host', '127.0.0.1']), ...(args.some((a) => a.startsWith('--port')) ? [] : ['--port', '0']), ...args];
  const child = spawn(PROGRAM_RUNTIME, [distMain(app), ...withDefaults], {
    env: { ...process.env, ...options.env, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  onLines(child.stdout, (line) => {
    if (line.trim() === '') return;
    logs.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  // 'close', not 'exit': only then has every byte the child wrote been read, so `logs` is whole
  // once `stop()` resolves and a line written just before exiting is not reported as missing.
  let closed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      closed = true;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );

  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (closed) {
          done();
          reject(new Error(`${app} exited (${child.exitCode ?? child.signalCode}) before the awaited log line; stderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${app}: awaited log line not seen within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return waitForLog((line) => line.msg === 'server ready', options.readyTimeoutMs).then(
    (ready) => ({
      process: child,
      pid: child.pid as number,
      port: ready.port as number,
      address: ready.address as string,
      ready,
      exited,
      logs,
      stderr: () => stderr,
      waitForLog,
      stop,
    }),
    async (error) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
}
