import { createSocket, type Socket } from 'node:dgram';
import { fromHex, loadTestVectors, startServer, udpExchange, type RunningServer } from '@sockets/testing';

// e2e: the built server as a child process, real datagrams over loopback.
jest.setTimeout(60_000);

const servers: RunningServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.stop())));

async function start(args: string[] = []): Promise<RunningServer> {
  const server = await startServer('udp-server', args);
  servers.push(server);
  return server;
}

describe('udp-server, transform upper', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });

  it('logs `server ready` with the real port, not the 0 it was asked for', () => {
    const ready = server.logs.find((line) => line.msg === 'server ready');
    expect(ready).toMatchObject({ protocol: 'udp', address: '127.0.0.1', transform: 'upper' });
    expect(server.port).toBeGreaterThan(0);
  });

  it('uppercases a datagram and replies to the port it came from', async () => {
    expect((await udpExchange(server.port, 'hello, world 123')).toString()).toBe('HELLO, WORLD 123');
    expect((await udpExchange(server.port, 'straße')).toString()).toBe('STRASSE');
  });

  it('answers every upper vector of docs/test-vectors.json', async () => {
    const vectors = loadTestVectors().transforms.filter((v) => v.transform === 'upper');
    expect(vectors.length).toBeGreaterThan(0);
    for (const vector of vectors) {
      const reply = await udpExchange(server.port, fromHex(vector.inputHex));
      expect({ name: vector.name, reply: reply.toString('hex') }).toEqual({ name: vector.name, reply: vector.outputHex });
    }
  });

  it('answers the empty datagram with an empty one', async () => {
    expect((await udpExchange(server.port, Buffer.alloc(0))).length).toBe(0);
  });

  it('answers the largest IPv4 datagram (65,507 bytes) in full', async () => {
    const message = Buffer.alloc(65_507, 'q');
    message.write('last', message.length - 4);
    const reply = await udpExchange(server.port, message);
    expect(reply.length).toBe(65_507);
    expect(reply.equals(Buffer.from(message.toString('latin1').toUpperCase(), 'latin1'))).toBe(true);
  });

  it('passes invalid UTF-8 and NUL bytes through unchanged', async () => {
    const message = Buffer.from([0x61, 0x00, 0x62, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x63, 0xed, 0xa0, 0x80, 0x00, 0xc3]);
    const expected = Buffer.from([0x41, 0x00, 0x42, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x43, 0xed, 0xa0, 0x80, 0x00, 0xc3]);
    expect((await udpExchange(server.port, message)).toString('hex')).toBe(expected.toString('hex'));
  });

  it('sends no reply that would not fit in a datagram, warns with the sizes, and keeps serving', async () => {
    // U+0390 is 2 bytes and uppercases to three code points of 2 bytes each: 60,000 -> 180,000.
    const oversize = Buffer.from('ΐ'.repeat(30_000), 'utf8');
    expect(oversize.length).toBe(60_000);
    const socket = await boundSocket('udp4');
    try {
      const replies = collect(socket);
      socket.send(oversize, server.port, '127.0.0.1');
      const warning = await server.waitForLog((line) => line.level === 40 && line.bytesIn === 60_000);
      expect(warning).toMatchObject({ bytesOut: 180_000, maxBytes: 65_507, remoteAddress: '127.0.0.1', remotePort: socket.address().port });
      // From the same socket: had the oversize reply gone out, it would arrive first.
      socket.send('still here', server.port, '127.0.0.1');
      await waitUntil(() => replies.length > 0, 10_000);
      expect(replies.map(String)).toEqual(['STILL HERE']);
    } finally {
      socket.close();
    }
  });

  it('serves 200 clients interleaved, each getting only its own replies', async () => {
    const clients = await Promise.all(Array.from({ length: 200 }, () => boundSocket('udp4')));
    try {
      const received = clients.map(collect);
      const rounds = 3;
      const messageOf = (client: number, round: number) => `client ${client} round ${round} ß`;
      const replyOf = (client: number, round: number) => `CLIENT ${client} ROUND ${round} SS`;
      for (let round = 0; round < rounds; round++) {
        // Every client sends before any reply is awaited; a datagram the box drops under this
        // burst is sent again, a bounded number of times.
        for (let attempt = 0; attempt < 5; attempt++) {
          const missing = clients
            .map((_, i) => i)
            .filter((i) => !received[i].some((reply) => reply.toString() === replyOf(i, round)));
          if (missing.length === 0) break;
          for (const i of missing) clients[i].send(messageOf(i, round), server.port, '127.0.0.1');
          await waitUntil(() => missing.every((i) => received[i].some((r) => r.toString() === replyOf(i, round))), 3_000).catch(() => undefined);
        }
      }
      clients.forEach((_, i) => {
        const own = new Set(Array.from({ length: rounds }, (_, round) => replyOf(i, round)));
        const replies = received[i].map(String);
        expect(new Set(replies)).toEqual(own);
      });
    } finally {
      clients.forEach((socket) => socket.close());
    }
  });
});

describe('udp-server, transform count-s', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start(['--transform', 'count-s']);
  });

  it('replies with the number of s and S in decimal', async () => {
    expect((await udpExchange(server.port, 'Mississippi')).toString()).toBe('4');
    expect((await udpExchange(server.port, 'Sassy sauces')).toString()).toBe('5');
    expect((await udpExchange(server.port, Buffer.from([0x73, 0x00, 0xff, 0x53]))).toString()).toBe('2');
  });

  it('answers every count-s vector of docs/test-vectors.json', async () => {
    const vectors = loadTestVectors().transforms.filter((v) => v.transform === 'count-s');
    expect(vectors.length).toBeGreaterThan(0);
    for (const vector of vectors) {
      const reply = await udpExchange(server.port, fromHex(vector.inputHex));
      expect({ name: vector.name, reply: reply.toString('hex') }).toEqual({ name: vector.name, reply: vector.outputHex });
    }
  });

  it('answers the empty datagram with 0', async () => {
    expect((await udpExchange(server.port, Buffer.alloc(0))).toString()).toBe('0');
  });
});

describe('udp-server over IPv6', () => {
  it('binds ::1 and answers there', async () => {
    const server = await start(['--host', '::1']);
    expect(server.address).toBe('::1');
    expect((await udpExchange(server.port, 'over ipv6', { host: '::1' })).toString()).toBe('OVER IPV6');
  });

  it('with --drop-rate, drops that fraction of datagrams, evenly spread, and says so in its ready line', async () => {
    const server = await start(['--drop-rate', '0.5', '--log-level', 'debug']);
    expect(server.ready).toMatchObject({ dropRate: 0.5 });
    // The first is dropped, the second answered, and so on: one attempt each, no retransmission.
    await expect(udpExchange(server.port, 'first', { attempts: 1, waitMs: 300 })).rejects.toThrow();
    expect((await udpExchange(server.port, 'second', { attempts: 1, waitMs: 5000 })).toString()).toBe('SECOND');
    await expect(udpExchange(server.port, 'third', { attempts: 1, waitMs: 300 })).rejects.toThrow();
    expect((await udpExchange(server.port, 'fourth', { attempts: 1, waitMs: 5000 })).toString()).toBe('FOURTH');
    expect(server.logs.filter((line) => line.msg === 'datagram dropped (--drop-rate)')).toHaveLength(2);
  });

  it('binds :: for IPv4 and IPv6 at once, with the IPv4 datagram limit for IPv4 peers', async () => {
    const server = await start(['--host', '::']);
    expect((await udpExchange(server.port, 'four', { host: '127.0.0.1' })).toString()).toBe('FOUR');
    expect((await udpExchange(server.port, 'six', { host: '::1' })).toString()).toBe('SIX');

    // 65,507 bytes in, 65,527 out: fits an IPv6 datagram, not an IPv4 one.
    const message = Buffer.concat([Buffer.alloc(65_497, 'a'), Buffer.from('ΐ'.repeat(5), 'utf8')]);
    expect(message.length).toBe(65_507);
    const overIpv6 = await udpExchange(server.port, message, { host: '::1' });
    expect(overIpv6.length).toBe(65_527);

    const socket = await boundSocket('udp4');
    try {
      const replies = collect(socket);
      socket.send(message, server.port, '127.0.0.1');
      const warning = await server.waitForLog((line) => line.level === 40 && line.bytesOut === 65_527);
      // The IPv4 peer of a dual-stack socket as it wrote itself, not as ::ffff:127.0.0.1.
      expect(warning).toMatchObject({ bytesIn: 65_507, maxBytes: 65_507, remoteAddress: '127.0.0.1' });
      socket.send('after', server.port, '127.0.0.1');
      await waitUntil(() => replies.length > 0, 10_000);
      expect(replies.map(String)).toEqual(['AFTER']);
    } finally {
      socket.close();
    }
  });
});

function boundSocket(type: 'udp4' | 'udp6'): Promise<Socket> {
  const socket = createSocket(type);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => resolve(socket));
  });
}

function collect(socket: Socket): Buffer[] {
  const replies: Buffer[] = [];
  socket.on('message', (reply: Buffer) => replies.push(reply));
  return replies;
}

/** Polls `ready` every 10 ms; rejects after `timeoutMs`. */
function waitUntil(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready()) resolve();
      else if (Date.now() > deadline) reject(new Error(`condition not met within ${timeoutMs} ms`));
      else setTimeout(check, 10);
    };
    check();
  });
}
