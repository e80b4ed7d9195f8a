import { startServer, type RunningServer } from '@sockets/testing';
import { TestPeer, delay, drained } from '@sockets/testing';

jest.setTimeout(30_000);

describe('tcp-server connection lifecycle (built program, loopback)', () => {
  const servers: RunningServer[] = [];
  const peers: TestPeer[] = [];
  const start = async (args: string[]): Promise<RunningServer> => {
    const server = await startServer('tcp-server', ['--log-level', 'debug', ...args]);
    servers.push(server);
    return server;
  };
  const connect = async (server: RunningServer): Promise<TestPeer> => {
    const peer = await TestPeer.connect(server.port);
    peers.push(peer);
    return peer;
  };
  const closeLogOf = (server: RunningServer, peer: TestPeer) => {
    const port = peer.localPort;
    return server.waitForLog((line) => line.msg === 'connection closed' && line.remotePort === port);
  };

  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('closes a connection idle for --idle-timeout-ms and logs why', async () => {
    const server = await start(['--idle-timeout-ms', '300']);
    const peer = await connect(server);
    await peer.write('hi\n');
    await peer.waitForText('HI\n');
    await peer.waitForClose(10_000);
    expect(await closeLogOf(server, peer)).toMatchObject({ reason: 'idle timeout', messages: 1 });
  });

  it('keeps a connection open while it is in use, however long that is', async () => {
    const server = await start(['--idle-timeout-ms', '400']);
    const peer = await connect(server);
    // Each gap is well under the timeout; together they are well over it.
    for (let i = 0; i < 8; i++) {
      await peer.write(`ping ${i}\n`);
      await peer.waitForText(`PING ${i}\n`);
      await delay(100);
    }
    expect(peer.closed).toBe(false);
  });

  it('closes a connection over --max-connections at once and serves again below the cap', async () => {
    const server = await start(['--max-connections', '2']);
    const first = await connect(server);
    const second = await connect(server);
    await Promise.all([first.write('a\n'), second.write('b\n')]);
    await Promise.all([first.waitForText('A\n'), second.waitForText('B\n')]);

    const third = await connect(server);
    await third.write('c\n').catch(() => undefined);
    await third.waitForClose();
    expect(third.length).toBe(0);
    expect(await server.waitForLog((line) => line.msg === 'connection over the cap closed')).toMatchObject({
      level: 40,
      maxConnections: 2,
    });

    first.socket.end();
    await closeLogOf(server, first);
    const fourth = await connect(server);
    await fourth.write('d\n');
    await fourth.waitForText('D\n');
  });

  it('survives peers that reset mid-stream and keeps serving others', async () => {
    const server = await start([]);
    const chunk = Buffer.from(`${'z'.repeat(1023)}\n`.repeat(64));
    const resetters = await Promise.all(Array.from({ length: 5 }, () => connect(server)));
    for (const peer of resetters) {
      peer.socket.pause();
      for (let i = 0; i < 16; i++) peer.socket.write(chunk);
    }
    await delay(100);
    // An RST while the server still has replies to write: ECONNRESET or EPIPE on its side.
    for (const peer of resetters) peer.socket.resetAndDestroy();
    for (const peer of resetters) {
      expect(await closeLogOf(server, peer)).toMatchObject({ reason: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
    }
    const other = await connect(server);
    await other.write('still here\n');
    await other.waitForText('STILL HERE\n');
    expect(server.process.exitCode).toBeNull();
  });

  it('on SIGTERM answers what it has read, unterminated tail included, ends connections and exits 0', async () => {
    // Only the stop can end the unterminated tail: no idle flush in the way, and count-s
    // replies only at a message's end.
    const server = await start(['--flush-ms', '60000', '--transform', 'count-s']);
    const busy = await connect(server);
    const idle = await connect(server);
    await busy.write('one s\ntwo ss\ntail sss');
    await busy.waitForText('1\n2\n');
    // The tail has been read by the time its predecessors are answered (same segment, same read).
    const started = performance.now();
    const exit = await server.stop('SIGTERM');
    const elapsed = performance.now() - started;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(elapsed).toBeLessThan(5000);
    await Promise.all([busy.waitForEnd(), idle.waitForEnd()]);
    expect(busy.text).toBe('1\n2\n3');
    expect(idle.length).toBe(0);
    for (const peer of [busy, idle]) {
      const port = peer.localPort;
      expect(server.logs.find((line) => line.msg === 'connection closed' && line.remotePort === port)).toMatchObject({
        reason: 'server stopping',
      });
    }
    expect(server.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
  });

  it('on SIGTERM cuts off a client that never reads its replies and still exits 0 within 5 s', async () => {
    const server = await start([]);
    const hog = await connect(server);
    hog.socket.pause();
    const chunk = Buffer.from(`${'y'.repeat(1023)}\n`.repeat(64));
    // Until the server stops taking bytes: its replies fill the kernel buffers both ways and
    // more are owed than it can deliver.
    let stalled = false;
    for (let i = 0; i < 4096 && !stalled; i++) {
      if (!hog.socket.write(chunk)) stalled = !(await drained(hog.socket, 1500));
    }
    expect(stalled).toBe(true);
    const started = performance.now();
    const exit = await server.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(5000);
    const port = hog.localPort;
    expect(server.logs.find((line) => line.msg === 'connection closed' && line.remotePort === port)).toMatchObject({
      reason: 'server stopping',
    });
  });
});
