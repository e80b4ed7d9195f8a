import { connect, type Socket } from 'node:net';
import { peakRssKb, startServer, type RunningServer } from '@sockets/testing';
import { TestPeer, drained } from '@sockets/testing';

jest.setTimeout(60_000);

/** Well under the contract's 200 MiB, with room for a noisy machine. */
const PEAK_RSS_LIMIT_KB = 150 * 1024;
const MiB = 1024 * 1024;

function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
}

describe('tcp-server under load (built program, loopback)', () => {
  const servers: RunningServer[] = [];
  const sockets: Socket[] = [];
  const start = async (args: string[] = []): Promise<RunningServer> => {
    const server = await startServer('tcp-server', args);
    servers.push(server);
    return server;
  };

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('serves 500 connections at once, each answered on its own connection', async () => {
    const server = await start();
    const peers = await Promise.all(Array.from({ length: 500 }, () => TestPeer.connect(server.port)));
    try {
      await Promise.all(peers.map((peer, i) => peer.write(`connection ${i}\n`)));
      await Promise.all(peers.map((peer) => peer.waitForText('\n', 30_000)));
      peers.forEach((peer, i) => expect(peer.text).toBe(`CONNECTION ${i}\n`));
    } finally {
      for (const peer of peers) peer.destroy();
    }
  });

  it('streams a 100 MiB line through with flat memory', async () => {
    const server = await start();
    const socket = await rawConnect(server.port);
    sockets.push(socket);
    const total = 100 * MiB;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const upper = Buffer.alloc(chunk.length, 'A');
    let received = 0;
    let mismatch = -1;
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (data: Buffer) => {
        const body = Math.min(data.length, total - received);
        if (mismatch < 0) {
          for (let at = 0; at < body; at += upper.length) {
            const end = Math.min(body, at + upper.length);
            if (upper.compare(data, at, end, 0, end - at) !== 0) mismatch = received + at;
          }
          if (data.length > body && data[body] !== 0x0a) mismatch = received + body;
        }
        received += data.length;
        if (received >= total + 1) resolve();
      });
      socket.once('error', reject);
      socket.once('end', () => reject(new Error(`server ended after ${received} bytes`)));
    });
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!socket.write(chunk) && !(await drained(socket, 30_000))) throw new Error(`stalled after ${sent} bytes`);
    }
    socket.write('\n');
    await done;
    expect(mismatch).toBe(-1);
    expect(received).toBe(total + 1);
    expect(peakRssKb(server.pid)).toBeLessThan(PEAK_RSS_LIMIT_KB);
  });

  it('throttles a client that writes and never reads, and serves another meanwhile', async () => {
    const server = await start();
    const hog = await rawConnect(server.port);
    sockets.push(hog);
    // Never read: the server's replies pile up in the kernel until its writes block.
    hog.pause();
    const line = Buffer.from(`${'x'.repeat(1023)}\n`);
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
    const limit = 256 * MiB;
    let written = 0;
    let stalled = false;
    while (written < limit) {
      written += chunk.length;
      if (!hog.write(chunk) && !(await drained(hog, 1500))) {
        stalled = true;
        break;
      }
    }
    // Kernel buffers on both sides take some megabytes; the server itself takes no more.
    expect(stalled).toBe(true);
    expect(written).toBeLessThan(limit);

    const other = await TestPeer.connect(server.port);
    try {
      await other.write('still served\n');
      await other.waitForText('\n');
      expect(other.text).toBe('STILL SERVED\n');
    } finally {
      other.destroy();
    }
    expect(peakRssKb(server.pid)).toBeLessThan(PEAK_RSS_LIMIT_KB);
  });
});
