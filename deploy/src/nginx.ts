import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';

/** The shipped stream configuration, the one operators include and the tests run. */
export const STREAM_CONFIG_PATH = resolve(__dirname, '../nginx/sockets.conf');

export interface NginxInstall {
  binary: string;
  version: string;
  /** `load_module` path when the stream module is dynamic (Debian), undefined when built in. */
  streamModule: string | undefined;
}

/** Where distributions put nginx; /usr/sbin is often missing from a non-root PATH. */
const CANDIDATES = ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

/**
 * The nginx on this machine and how to load its stream module, or why it cannot be used.
 * NGINX_BINARY names one to use instead of searching (a build of one's own, say).
 */
export function findNginx(): NginxInstall | { missing: string } {
  const candidates = process.env.NGINX_BINARY ? [process.env.NGINX_BINARY] : CANDIDATES;
  for (const binary of candidates) {
    let build: string;
    try {
      // nginx -V writes to stderr; merge it in.
      build = execFileSync('/bin/sh', ['-c', `"${binary}" -V 2>&1`], { encoding: 'utf8', timeout: 5000 });
    } catch {
      continue;
    }
    const version = /nginx version: (\S+)/.exec(build)?.[1];
    if (!version) continue;
    if (/--with-stream=dynamic/.test(build)) {
      const modulesPath = /--modules-path=(\S+)/.exec(build)?.[1] ?? '/usr/lib/nginx/modules';
      const streamModule = join(modulesPath, 'ngx_stream_module.so');
      if (!existsSync(streamModule)) {
        return { missing: `${binary} (${version}) has no stream module at ${streamModule} (Debian: apt-get install libnginx-mod-stream)` };
      }
      return { binary, version, streamModule };
    }
    if (/--with-stream(\s|$)/.test(build)) return { binary, version, streamModule: undefined };
    return { missing: `${binary} (${version}) is built without the stream module` };
  }
  return { missing: `no nginx found at ${candidates.join(', ')} (Debian: apt-get install nginx libnginx-mod-stream)` };
}

export interface Upstream {
  host: string;
  port: number;
}

export interface StreamConfigOptions {
  /** Address nginx listens on, both protocols (the shipped file listens on every address). */
  listenHost: string;
  port: number;
  tcp: Upstream[];
  udp: Upstream[];
  /** Directory for the access log instead of /var/log/nginx. */
  logDir: string;
}

/**
 * The shipped configuration with only what an operator edits changed: the instances in each
 * upstream block (their parameters kept from the shipped first line), the listen address and
 * port, the log directory. Anything else in the file reaches nginx untouched, so the tests
 * prove the file as shipped. Throws when the file no longer has the shape this relies on.
 */
export function renderStreamConfig(text: string, options: StreamConfigOptions): string {
  let out = text;
  for (const [name, instances] of [
    ['sockets_tcp', options.tcp],
    ['sockets_udp', options.udp],
  ] as const) {
    const block = new RegExp(`(upstream ${name} \\{[^}]*?)((?:^[ \\t]*server [^;]+;[ \\t]*\\n)+)`, 'm');
    const match = block.exec(out);
    if (!match) throw new Error(`${STREAM_CONFIG_PATH}: no run of server lines in upstream ${name}`);
    const first = /^([ \t]*)server \S+((?: [^;]*)?);/.exec(match[2]);
    if (!first) throw new Error(`${STREAM_CONFIG_PATH}: cannot read the first server line of upstream ${name}`);
    const [, indent, parameters] = first;
    const lines = instances.map((u) => `${indent}server ${u.host}:${u.port}${parameters};\n`).join('');
    out = out.replace(block, `$1${lines}`);
  }
  const listens = [...out.matchAll(/^([ \t]*)listen 12000( udp reuseport)?;/gm)];
  if (listens.length !== 2 || listens.filter((m) => m[2]).length !== 1) {
    throw new Error(`${STREAM_CONFIG_PATH}: expected one TCP and one UDP \`listen 12000\` line`);
  }
  out = out.replace(/^([ \t]*)listen 12000( udp reuseport)?;/gm, `$1listen ${options.listenHost}:${options.port}$2;`);
  if (!out.includes('/var/log/nginx/')) throw new Error(`${STREAM_CONFIG_PATH}: no access_log under /var/log/nginx/`);
  return out.replaceAll('/var/log/nginx/', `${options.logDir}/`);
}

/** nginx.conf for a private nginx: its own pid and error log under `dir`, nothing from /etc. */
function mainConfig(install: NginxInstall, dir: string, workers: number, streamConfigPath: string): string {
  return [
    install.streamModule ? `load_module ${install.streamModule};` : '',
    'daemon off;',
    `worker_processes ${workers};`,
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} info;`,
    'events { worker_connections 1024; }',
    `include ${streamConfigPath};`,
    '',
  ].join('\n');
}

export interface RunningNginx {
  process: ChildProcess;
  pid: number;
  dir: string;
  /** The stream access log so far, one parsed line per ended session. */
  sessions(): NginxSession[];
  errorLog(): string;
  stop(): Promise<void>;
}

export interface NginxSession {
  client: string;
  clientPort: number;
  protocol: 'TCP' | 'UDP';
  status: number;
  /** Every instance tried, in order; the last one served the session. */
  upstreams: string[];
  fromClient: number;
  toClient: number;
}

/**
 * Starts nginx in the foreground on the rendered shipped configuration (files under `dir`),
 * and resolves once its TCP port accepts.
 */
export async function startNginx(install: NginxInstall, dir: string, stream: StreamConfigOptions, workers = 2): Promise<RunningNginx> {
  const streamPath = join(dir, 'sockets.conf');
  writeFileSync(streamPath, renderStreamConfig(readFileSync(STREAM_CONFIG_PATH, 'utf8'), stream));
  const mainPath = join(dir, 'nginx.conf');
  writeFileSync(mainPath, mainConfig(install, dir, workers, streamPath));
  // -e: until the configuration is read, nginx logs to its compiled-in path, which a non-root
  // user may not be able to open.
  const child = spawn(install.binary, ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', mainPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = performance.now() + 10_000;
  while (!(await accepts(stream.listenHost, stream.port))) {
    if (child.exitCode !== null || child.signalCode !== null || performance.now() > deadline) {
      await stop();
      throw new Error(`nginx did not start: ${stderr.trim()}\n${errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    process: child,
    pid: child.pid as number,
    dir,
    sessions: () => parseSessions(existsSync(join(dir, 'sockets.log')) ? readFileSync(join(dir, 'sockets.log'), 'utf8') : ''),
    errorLog,
    stop,
  };
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Lines of the `sockets` log_format of the shipped configuration. */
export function parseSessions(log: string): NginxSession[] {
  const sessions: NginxSession[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\S+):(\d+) (TCP|UDP) (\d+) upstream=(.*?) from_client=(\d+) to_client=(\d+) /.exec(line);
    if (!m) continue;
    sessions.push({
      client: m[1],
      clientPort: Number(m[2]),
      protocol: m[3] as 'TCP' | 'UDP',
      status: Number(m[4]),
      upstreams: m[5] === '-' ? [] : m[5].split(', '),
      fromClient: Number(m[6]),
      toClient: Number(m[7]),
    });
  }
  return sessions;
}
