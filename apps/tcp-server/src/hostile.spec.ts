import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, type RunningServer } from '@sockets/testing';

jest.setTimeout(60_000);

/** Connects from `localAddress` (any of 127.0.0.0/8 is this machine) and keeps what comes back. */
async function open(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  await once(socket, 'connect');
  let received = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (text: string) => (received += text));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return { socket, received: () => received, closed: () => closed };
}

/** Polls until `check` holds, for at most `ms`. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check() && performance.now() < deadline) await sleep(20);
  return check();
}

/** A normal client's exchange: one line, its reply, then close. */
async function exchange(port: number, line: string): Promise<string> {
  const client = await open(port);
  client.socket.end(line);
  await until(client.closed, 5_000);
  return client.received();
}

describe('tcp-server against slow peers (built program, loopback)', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('at default settings, 1024 peers sending a byte a second lose their slots, and then a normal client is served', async () => {
    server = await startServer('tcp-server');
    const { port } = server;
    const holders: Array<Awaited<ReturnType<typeof open>>> = [];
    for (let i = 0; i < 1024; i++) holders.push(await open(port));
    const drip = setInterval(() => {
      for (const holder of holders) if (!holder.closed()) holder.socket.write('a');
    }, 1000);
    try {
      // Every slot is taken: a newcomer is closed at once, unanswered.
      expect(await exchange(port, 'locked out?\n')).toBe('');
      // Each byte is answered (the idle flush), but the line never ends and arrives far below
      // the minimum rate: once --slow-line-ms has passed, every holder is closed.
      const allClosed = await until(() => holders.every((holder) => holder.closed()), 30_000);
      expect(holders.filter((holder) => !holder.closed())).toHaveLength(0);
      expect(allClosed).toBe(true);
      expect(holders[0].received()).toMatch(/^A+$/);
      expect(await exchange(port, 'served again\n')).toBe('SERVED AGAIN\n');
    } finally {
      clearInterval(drip);
      for (const holder of holders) holder.socket.destroy();
    }
  });

  it('lets a long line through as long as it keeps coming, and closes one that trickles', async () => {
    server = await startServer('tcp-server', ['--slow-line-ms', '300', '--min-line-rate', '1000', '--log-level', 'debug']);
    const fast = await open(server.port);
    const slow = await open(server.port);
    // 40 KiB over about 800 ms: 50 KiB/s, well above 1000 B/s.
    for (let i = 0; i < 40; i++) {
      fast.socket.write('x'.repeat(1024));
      slow.socket.write('y');
      await sleep(20);
    }
    fast.socket.end('\n');
    expect(await until(fast.closed, 5_000)).toBe(true);
    expect(fast.received()).toBe('X'.repeat(40 * 1024) + '\n');
    // 40 bytes in more than 300 ms is far below 1000 B/s.
    expect(await until(slow.closed, 5_000)).toBe(true);
    await server.stop();
    const reasons = server.logs.filter((line) => line.msg === 'connection closed').map((line) => line.reason);
    expect(reasons.sort()).toEqual(['line too slow', 'peer closed']);
  });

  it('cuts each slow line where it falls short, whatever the timer phase, also a line begun after another', async () => {
    // 600 ms, then 64 B/s: a typist at a byte every 100 ms (10 B/s) falls short at 600 ms.
    server = await startServer('tcp-server', ['--slow-line-ms', '600', '--min-line-rate', '64', '--flush-ms', '60000']);
    const typist = async (firstLine: boolean): Promise<number> => {
      const peer = await open(server?.port as number);
      if (firstLine) {
        // A line in progress for 300 ms, ended by the chunk that starts the line timed here.
        peer.socket.write('x');
        await sleep(300);
      }
      const started = performance.now();
      peer.socket.write(firstLine ? '\ny' : 'y');
      // Bounded: 40 bytes at most, 4 s; the cut comes well before.
      for (let i = 0; i < 40 && !peer.closed(); i++) {
        await sleep(100);
        if (!peer.closed()) peer.socket.write('y');
      }
      await until(peer.closed, 5_000);
      const lastedMs = performance.now() - started;
      peer.socket.destroy();
      return lastedMs;
    };
    const lasted = await Promise.all([...Array.from({ length: 6 }, () => typist(false)), typist(true)]);
    // Cut at 600 ms or at most 100 ms later; the margin is for a loaded test machine, and the
    // cut that came a whole second late (a timer of the line before, or a check a hair early)
    // lands past it.
    for (const ms of lasted) {
      expect(ms).toBeGreaterThan(550);
      expect(ms).toBeLessThan(1200);
    }
  });

  it('with --max-per-address, closes one address over its share at once, and serves the others', async () => {
    server = await startServer('tcp-server', ['--max-per-address', '2', '--log-level', 'debug']);
    const { port } = server;
    const first = await open(port);
    const second = await open(port);
    const third = await open(port);
    // Closed at once by the server, before any byte.
    expect(await until(third.closed, 5_000)).toBe(true);
    expect(third.received()).toBe('');
    // Another address of this machine has its own share.
    const other = await open(port, '127.0.0.2');
    other.socket.end('other\n');
    expect(await until(other.closed, 5_000)).toBe(true);
    expect(other.received()).toBe('OTHER\n');
    // A slot freed is a slot again, once the server has seen it go (not after a pause a loaded
    // machine can outlast).
    const firstPort = first.socket.localPort;
    first.socket.destroy();
    await server.waitForLog((line) => line.msg === 'connection closed' && line.remotePort === firstPort, 5_000);
    expect(await exchange(port, 'again\n')).toBe('AGAIN\n');
    second.socket.destroy();
    const warned = await server.waitForLog((line) => line.msg === 'connection over the per-address cap closed', 5_000);
    expect(warned).toMatchObject({ level: 40, maxPerAddress: 2 });
  });
});
