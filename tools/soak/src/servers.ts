import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { onLines, statusKb, type ModelTransform } from '@sockets/testing';

export interface ServerSpec {
  name: string;
  protocol: 'tcp' | 'udp';
  transform: ModelTransform;
  args: string[];
}

export interface SoakServer extends ServerSpec {
  pid: number;
  port: number;
  /** Log lines at warn or above, as the server wrote them. */
  warnings: string[];
  /** Set once the process has exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const WARN = 40;

/** Starts a built server on 127.0.0.1, port 0, and resolves once it has logged `server ready`. */
export function startSoakServer(workspaceRoot: string, spec: ServerSpec, readyTimeoutMs = 15_000): Promise<SoakServer> {
  const main = resolve(workspaceRoot, 'dist/apps', `${spec.protocol}-server`, 'main.js');
  const child = spawn(
    process.execPath,
    [main, '--host', '127.0.0.1', '--port', '0', '--transform', spec.transform, ...spec.args],
    { env: { ...process.env, LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const warnings: string[] = [];
  let stderr = '';
  let onReady: ((port: number) => void) | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-4_000)));
  onLines(child.stdout, (line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      warnings.push(line);
      return;
    }
    if (parsed.msg === 'server ready') onReady?.(parsed.port as number);
    if ((parsed.level as number) >= WARN && warnings.length < 100) warnings.push(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('close', (code, signal) => {
      server.exit = { code, signal };
      resolveExit({ code, signal });
    }),
  );
  const server = {
    ...spec,
    pid: child.pid as number,
    port: 0,
    warnings,
    exit: undefined,
    stderr: () => stderr,
    async stop(graceMs = 10_000) {
      if (!server.exit) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  } as SoakServer;
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.name}: not ready within ${readyTimeoutMs} ms; stderr: ${stderr}`));
    }, readyTimeoutMs);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name}: exited (${code ?? signal}) before it was ready; stderr: ${stderr}`));
    });
    onReady = (port) => {
      clearTimeout(timer);
      server.port = port;
      resolveReady(server);
    };
  });
}

/** Resident memory now, in MiB, from /proc (Linux); undefined once the process is gone. */
export function rssMiB(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmRSS');
  return kb === undefined ? undefined : kb / 1024;
}

/** The highest resident memory the process has had, in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmHWM');
  return kb === undefined ? undefined : kb / 1024;
}

/** Open file descriptors of the process: sockets, pipes, epoll and the like. */
export function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}
