import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { noopLogger } from '@sockets/logging';
import { createUdpServer, dropped } from './udp-server';

/**
 * The server reuses a reply's memory once `send` has handed it to the kernel. Were that wrong,
 * a later reply would overwrite an earlier one still queued, and some client would get bytes
 * of another's reply. Many clients with many datagrams in flight, of many sizes, each checked.
 */
jest.setTimeout(30_000);

describe('udp-server data path', () => {
  it('answers every datagram with its own reply while many are in flight', async () => {
    const service = createUdpServer({ transform: 'upper', logger: noopLogger });
    const { port } = await service.listen('127.0.0.1', 0);
    const clients: Socket[] = [];
    try {
      const CLIENTS = 8;
      const PER_CLIENT = 48;
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          const socket = createSocket('udp4');
          clients.push(socket);
          socket.bind(0, '127.0.0.1');
          await once(socket, 'listening');
          const expected = new Map<string, string>();
          let wrong = 0;
          let answered = 0;
          const done = new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 8_000);
            socket.on('message', (reply: Buffer) => {
              const key = reply.subarray(0, 12).toString('latin1').toLowerCase();
              if (expected.get(key) !== reply.toString('latin1')) wrong++;
              if (++answered === PER_CLIENT) {
                clearTimeout(timer);
                resolve();
              }
            });
          });
          for (let i = 0; i < PER_CLIENT; i++) {
            // A distinct head to match the reply by, and sizes from a few bytes to tens of KiB.
            const head = `c${String(c).padStart(2, '0')}m${String(i).padStart(8, '0')}`;
            const body = String.fromCharCode(97 + ((c + i) % 26)).repeat((i * 977) % 20_000);
            const message = head + body;
            expected.set(head, message.toUpperCase());
            socket.send(message, port, '127.0.0.1');
            // Some in flight at once, but not so many that loopback drops them.
            if (i % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 5));
          }
          await done;
          return { answered, wrong };
        }),
      );
      expect(results.reduce((sum, r) => sum + r.wrong, 0)).toBe(0);
      // Datagrams may be dropped by a busy kernel; those that came back are all right, and most came back.
      expect(results.reduce((sum, r) => sum + r.answered, 0)).toBeGreaterThan(CLIENTS * PER_CLIENT * 0.5);
      expect(service.stats.messages).toBeGreaterThan(0);
    } finally {
      for (const socket of clients) socket.close();
      await service.stop();
    }
  });
});

describe('dropped (--drop-rate)', () => {
  it('drops that fraction, evenly spread, the first among them, the same on every run', () => {
    const pattern = (rate: number, n: number) => Array.from({ length: n }, (_, i) => dropped(i, rate));
    expect(pattern(0.5, 6)).toEqual([true, false, true, false, true, false]);
    expect(pattern(0.25, 8)).toEqual([true, false, false, false, true, false, false, false]);
    expect(pattern(1, 3)).toEqual([true, true, true]);
    expect(pattern(0, 3)).toEqual([false, false, false]);
    for (const rate of [0.1, 0.3, 0.5, 0.9]) expect(pattern(rate, 1000).filter(Boolean)).toHaveLength(rate * 1000);
  });
});
