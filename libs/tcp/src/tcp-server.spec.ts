import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { noopLogger } from '@sockets/logging';
import type { TransformName } from '@sockets/transform';
import type { Service } from '@sockets/runtime';
import { createTcpServer } from './tcp-server';

/** The data path in this process, over loopback: a client socket and what it has received. */
async function start(flushMs: number, transform: TransformName = 'upper', minLineRate = 64, idleTimeoutMs = 0) {
  const service = createTcpServer({ transform, flushMs, idleTimeoutMs, maxConnections: 100, maxPerAddress: 0, slowLineMs: 10_000, minLineRate, logger: noopLogger });
  const { port } = await service.listen('127.0.0.1', 0);
  const client = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await once(client, 'connect');
  const received: Buffer[] = [];
  client.on('data', (chunk: Buffer) => received.push(chunk));
  running.push({ service, client });
  return { service, client, text: () => Buffer.concat(received).toString('latin1') };
}

const running: Array<{ service: Service; client: Socket }> = [];
afterEach(async () => {
  for (const { service, client } of running.splice(0)) {
    client.destroy();
    await service.stop();
  }
});

/** Polls `check` every few ms until it holds, for at most `ms` (generous: the box is shared). */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('TCP data path', () => {
  it('closes a connection idle for the whole idle timeout, and not before', async () => {
    const idleTimeoutMs = 200;
    const { client, text } = await start(60_000, 'upper', 64, idleTimeoutMs);
    // Taken as the reply arrives, not when the poll below sees it: on a loaded machine the poll
    // can be late by more than the margin, and would make the close look early.
    let lastTraffic = 0;
    client.on('data', () => (lastTraffic = performance.now()));
    client.write('hi\n');
    await until(() => text() === 'HI\n');
    await once(client, 'end');
    // Timers may fire up to a millisecond early; the sweep itself never closes early.
    expect(performance.now() - lastTraffic).toBeGreaterThanOrEqual(idleTimeoutMs - 2);
  });

  it('keeps a connection with traffic open past the idle timeout', async () => {
    const idleTimeoutMs = 200;
    const { client, text } = await start(60_000, 'upper', 64, idleTimeoutMs);
    let expected = '';
    // Ten gaps of a quarter of the timeout: two and a half timeouts in all.
    for (let i = 0; i < 10; i++) {
      client.write(`${i}\n`);
      expected += `${i}\n`;
      await until(() => text() === expected);
      await sleep(idleTimeoutMs / 4);
    }
    expect(client.readableEnded).toBe(false);
    expect(client.destroyed).toBe(false);
  });

  it('replies in the order of the messages, each with its terminator', async () => {
    const { service, client, text } = await start(60_000);
    for (const piece of ['one\ntw', 'o\r', '\nthree', '\n\nfour\r\n']) {
      client.write(Buffer.from(piece, 'latin1'));
      await sleep(5);
    }
    client.end();
    await once(client, 'end');
    expect(text()).toBe('ONE\nTWO\r\nTHREE\n\nFOUR\r\n');
    expect(service.stats.messages).toBe(5);
    expect(service.stats.bytesReceived).toBe(Buffer.byteLength('one\ntwo\r\nthree\n\nfour\r\n'));
    expect(service.stats.bytesSent).toBe(service.stats.bytesReceived);
  });

  it('answers an unterminated message after flushMs of silence', async () => {
    const { client, text } = await start(20);
    client.write('hello');
    await until(() => text() === 'HELLO');
    // Later bytes start a new message.
    client.write('again\n');
    await until(() => text() === 'HELLOAGAIN\n');
  });

  it('waits for silence: bytes that keep coming extend the message', async () => {
    const { client, text } = await start(200, 'count-s');
    client.write('ss');
    client.write('ss');
    // Written back to back, well within 200 ms: one message of four s.
    await sleep(1000);
    expect(text()).toBe('4');
  });

  it('does not split a message when the event loop stalls past flushMs while the rest arrives', async () => {
    const { service, client, text } = await start(50, 'count-s');
    client.write('ss');
    await until(() => service.stats.bytesReceived === 2);
    // The rest goes to the server's socket at once; then this process (the server's too) is
    // kept busy well past the flush deadline, so the timer and the bytes are both due when the
    // event loop comes back. Node runs expired timers first.
    client.write('s\n');
    const busyUntil = performance.now() + 300;
    while (performance.now() < busyUntil);
    await until(() => text().endsWith('\n'));
    expect(text()).toBe('3\n');
  });

  it('arms the idle flush only while a message is open', async () => {
    // Without the line-rate check, whose timer also waits on an open line.
    const { service, client } = await start(10_000, 'count-s', 0);
    const setTimer = jest.spyOn(global, 'setTimeout');
    try {
      client.write('s\n');
      await until(() => service.stats.messages === 1);
      // Pipelined traffic, whose chunks end at a newline, costs no timer.
      expect(setTimer).not.toHaveBeenCalled();
      client.write('s');
      await until(() => service.stats.bytesReceived === 3);
      expect(setTimer).toHaveBeenCalledTimes(1);
    } finally {
      setTimer.mockRestore();
    }
  });

  it('answers the tail at end of input, without waiting for the idle flush', async () => {
    const { client, text } = await start(60_000);
    client.end('first\ntail');
    await once(client, 'end');
    expect(text()).toBe('FIRST\nTAIL');
  });

  it('stops the idle flush when the connection goes away', async () => {
    const { service, client } = await start(20);
    client.write('abc');
    await until(() => service.stats.bytesReceived === 3);
    client.resetAndDestroy();
    await until(() => service.stats.connectionsOpen === 0);
    await sleep(150);
    expect(service.stats.messages).toBe(0);
  });

  it('stops reading while a peer does not read its replies, and goes on once it does', async () => {
    const { service, client, text } = await start(60_000);
    client.pause();
    const line = Buffer.from('x'.repeat(1023) + '\n');
    let written = 0;
    // Bounded: a server without backpressure would take all of these, 64 MiB.
    for (let i = 0; i < 64 * 1024 && written < 64 * 1024 * 1024; i++) {
      written += line.length;
      if (!client.write(line)) {
        const drained = await Promise.race([once(client, 'drain').then(() => true), sleep(1000).then(() => false)]);
        if (!drained) break;
      }
    }
    // The server stopped reading: what it took is bounded by kernel and socket buffers.
    const taken = service.stats.bytesReceived;
    expect(taken).toBeLessThan(32 * 1024 * 1024);
    expect(written).toBeGreaterThan(taken);
    // Once the peer reads, every reply comes out.
    client.resume();
    client.end();
    await once(client, 'end');
    expect(text().length).toBe(written);
    expect(text().startsWith('X'.repeat(100))).toBe(true);
  });

  it('on a graceful stop answers what it has received, then ends the connection', async () => {
    const { service, client, text } = await start(60_000, 'count-s');
    client.write('ss\ns');
    await until(() => service.stats.bytesReceived === 4);
    const stopped = service.stop();
    await once(client, 'end');
    expect(text()).toBe('2\n1');
    client.end();
    await stopped;
  });
});
