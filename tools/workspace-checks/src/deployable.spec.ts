import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@sockets/testing';

const APPS = ['udp-server', 'tcp-server', 'udp-client', 'tcp-client'] as const;
const SERVERS = ['udp-server', 'tcp-server'] as const;
const workspace = JSON.parse(readFileSync(resolve(WORKSPACE_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  engines: { node: string };
};

/** Each built program copied alone to a folder outside the workspace, as an operator ships it. */
const shipped = new Map<string, string>();
beforeAll(() => {
  for (const app of APPS) {
    const dir = mkdtempSync(join(tmpdir(), `${app}-package-`));
    cpSync(resolve(WORKSPACE_ROOT, 'dist/apps', app), dir, { recursive: true });
    shipped.set(app, dir);
  }
});
afterAll(() => {
  for (const dir of shipped.values()) rmSync(dir, { recursive: true, force: true });
});

function manifest(app: string): { name: string; version: string; main: string; bin: Record<string, string>; engines: { node: string } } {
  return JSON.parse(readFileSync(join(shipped.get(app) as string, 'package.json'), 'utf8'));
}

describe('each built program is a package that runs alone', () => {
  it.each(APPS)('%s: its package.json names it, carries the workspace version and engines, and its bin', (app) => {
    const pkg = manifest(app);
    expect(pkg.name).toBe(`${workspace.name}-${app}`);
    expect(pkg.version).toBe(workspace.version);
    expect(pkg.engines).toEqual(workspace.engines);
    expect(pkg.bin).toEqual({ [app]: pkg.main });
  });

  it.each(APPS)('%s: runs from its own folder with node alone, and says its version', (app) => {
    const dir = shipped.get(app) as string;
    // No NODE_PATH, no workspace: a require of anything not bundled would fail here.
    const result = spawnSync(process.execPath, [manifest(app).main, '--version'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${app} ${workspace.version}\n`);
    expect(result.status).toBe(0);
  });

  it.each(SERVERS)('%s: serves from its own folder', async (app) => {
    const dir = shipped.get(app) as string;
    const child = spawn(process.execPath, [manifest(app).main, '--host', '127.0.0.1', '--port', '0', '--log-format', 'json'], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const ready = await new Promise<Record<string, unknown>>((resolveReady, reject) => {
        const timer = setTimeout(() => reject(new Error(`no server ready within 10 s: ${out}`)), 10_000);
        child.stdout.on('data', (text: string) => {
          out += text;
          const line = out.split('\n').find((l) => l.includes('"server ready"'));
          if (line) {
            clearTimeout(timer);
            resolveReady(JSON.parse(line) as Record<string, unknown>);
          }
        });
      });
      expect(ready.port).toEqual(expect.any(Number));
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(path: string): Array<{ op: string; args: string }> {
  const text = readFileSync(path, 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('the Dockerfile of each server (never built here: no Docker engine on these machines)', () => {
  it.each(SERVERS)('%s: slim official Node of a supported line, the package copied in, run by a user who is not root', (app) => {
    const steps = instructions(resolve(WORKSPACE_ROOT, 'apps', app, 'Dockerfile'));
    const from = steps.find((s) => s.op === 'FROM')?.args ?? '';
    const line = /^node:(\d+)-slim$/.exec(from)?.[1];
    expect(line).toBeDefined();
    expect(['20', '22', '24']).toContain(line);
    const user = steps.filter((s) => s.op === 'USER').pop()?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);

    const workdir = steps.filter((s) => s.op === 'WORKDIR').pop()?.args as string;
    const copy = steps.find((s) => s.op === 'COPY')?.args.split(/\s+/) ?? [];
    expect(copy).toEqual([`dist/apps/${app}/`, `${workdir}/`]);

    // CMD runs the entry of the package COPY brought in, from WORKDIR.
    const cmd = JSON.parse(steps.filter((s) => s.op === 'CMD').pop()?.args ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(resolve(workdir, cmd[1])).toBe(resolve(workdir, manifest(app).main));
    // And what CMD asks of the program, the program accepts: the same arguments from the shipped folder.
    const dir = shipped.get(app) as string;
    const check = spawnSync(process.execPath, [...cmd.slice(1), '--help'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(check.status).toBe(0);
  });

  it.each(SERVERS)('%s: exposes 12000 for its protocol, and checks health on the metrics port it sets', (app) => {
    const steps = instructions(resolve(WORKSPACE_ROOT, 'apps', app, 'Dockerfile'));
    const expose = steps.filter((s) => s.op === 'EXPOSE').flatMap((s) => s.args.split(/\s+/));
    expect(expose).toContain(`12000/${app.slice(0, 3)}`);
    const metricsPort = /METRICS_PORT=(\d+)/.exec(steps.find((s) => s.op === 'ENV')?.args ?? '')?.[1];
    expect(metricsPort).toBeDefined();
    expect(expose).toContain(`${metricsPort}/tcp`);
    const health = steps.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    expect(health).toContain(`127.0.0.1:${metricsPort}/healthz`);
    expect(steps.find((s) => s.op === 'STOPSIGNAL')?.args).toBe('SIGTERM');
  });
});
