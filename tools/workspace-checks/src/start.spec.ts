import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@sockets/testing';

const START = resolve(WORKSPACE_ROOT, 'tools/start/start.mjs');

/** Runs what `npm start` runs (after its build), collecting output until it exits. */
function start(args: string[]) {
  const child = spawn(process.execPath, [START, '--host', '127.0.0.1', ...args], {
    env: { ...process.env, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const readyCount = () => stdout.split('\n').filter((line) => line.includes('"server ready"')).length;
  const waitReady = async (count: number) => {
    for (let i = 0; i < 200 && readyCount() < count; i++) await new Promise((r) => setTimeout(r, 50));
    return readyCount();
  };
  return { child, exited, waitReady, output: () => ({ stdout, stderr }) };
}

describe('npm start', () => {
  it('runs both servers and stops both on SIGINT, exiting 0', async () => {
    const run = start(['--port', '0']);
    expect(await run.waitReady(2)).toBe(2);
    const ready = run.output().stdout.split('\n').filter((l) => l.includes('"server ready"')).map((l) => JSON.parse(l).protocol);
    expect(ready.sort()).toEqual(['tcp', 'udp']);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output().stdout.split('\n').filter((line) => line.includes('"msg":"stopped"'))).toHaveLength(2);
  });

  it('gives each server its own metrics port', async () => {
    const run = start(['--port', '0', '--metrics-port', '0', '--workers', '2']);
    expect(await run.waitReady(2)).toBe(2);
    const ready = run.output().stdout.split('\n').filter((l) => l.includes('"server ready"')).map((l) => JSON.parse(l));
    expect(ready.map((line) => line.workers)).toEqual([2, 2]);
    const ports = ready.map((line) => line.metricsPort);
    expect(ports.every((port) => Number.isInteger(port) && port > 0)).toBe(true);
    expect(new Set(ports).size).toBe(2);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('stops the other server and exits non-zero when one cannot start', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = start(['--port', String(port)]);
      const code = await run.exited;
      expect(code).not.toBe(0);
      const { stderr } = run.output();
      expect(stderr).toContain(`127.0.0.1:${port}`);
      expect(stderr).toMatch(/address already in use/);
      expect(stderr).toMatch(/tcp-server exited/);
    } finally {
      blocker.close();
    }
  });
});
