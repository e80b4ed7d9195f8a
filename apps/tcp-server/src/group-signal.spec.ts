import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PROGRAM_RUNTIME, distMain, tcpServerHasRead, TestPeer, waitUntil } from '@sockets/testing';

jest.setTimeout(30_000);

/**
 * Ctrl-C at a terminal signals every process of the foreground group at once: with workers,
 * the primary and each worker get SIGINT together. The server must still drain and exit 0,
 * and must not take its workers' clean exits for deaths to replace.
 */
describe('tcp-server with workers, signalled as a process group (Ctrl-C)', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s to the group: owed replies sent, one stop, exit 0 within 5 s', async (signal) => {
    const child = spawn(PROGRAM_RUNTIME, [distMain('tcp-server'), '--host', '127.0.0.1', '--port', '0', '--workers', '2', '--transform', 'count-s'], {
      // Its own process group, as a shell gives a foreground job.
      detached: true,
      env: { ...process.env, LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (out += text));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const deadline = performance.now() + 10_000;
      while (!out.includes('"server ready"') && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const ready = JSON.parse(out.split('\n').find((line) => line.includes('"server ready"')) as string) as { port: number };

      // An unterminated message: its reply is owed and comes with the stop.
      const peer = await TestPeer.connect(ready.port);
      peer.socket.write('sss');
      // Only bytes the server has read are owed: a loaded machine may not have handed the
      // connection to a worker yet, so wait until a process has taken them from the kernel.
      await waitUntil(() => tcpServerHasRead(ready.port, peer.socket.localPort as number), 'the server to read the message', 5_000);
      const signalledAt = performance.now();
      process.kill(-(child.pid as number), signal);
      const [code] = await exited;
      expect(performance.now() - signalledAt).toBeLessThan(5_000);
      expect(code).toBe(0);
      await peer.waitFor(() => peer.ended || peer.closed, 'the end of the stream', 5_000);
      expect(Buffer.concat(peer.chunks).toString()).toBe('3');

      const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line.msg === 'worker died, replacing it')).toEqual([]);
      // Each worker and the primary stopped once, and said so.
      expect(lines.filter((line) => line.msg === 'stopped')).toHaveLength(3);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    }
  });
});
