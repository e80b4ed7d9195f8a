import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTransducer, type TransformName } from '@sockets/transform';
import { ReplyStream } from './reply-stream';

function stream(flushMs: number, name: TransformName = 'upper'): ReplyStream {
  return new ReplyStream(createTransducer(name), { flushMs });
}

/** The next readable data, or a failure after `ms` (generous: the box is slow and shared). */
async function nextData(s: ReplyStream, ms = 3000): Promise<string> {
  const [data] = (await once(s, 'data', { signal: AbortSignal.timeout(ms) })) as [Buffer];
  return data.toString('latin1');
}

async function readAll(s: ReplyStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of s) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('latin1');
}

describe('ReplyStream', () => {
  it('replies in the order of the messages, each with its terminator', async () => {
    const s = stream(60_000);
    const all = readAll(s);
    for (const piece of ['one\ntw', 'o\r', '\nthree', '\n\nfour\r\n']) s.write(Buffer.from(piece, 'latin1'));
    s.end();
    expect(await all).toBe('ONE\nTWO\r\nTHREE\n\nFOUR\r\n');
    expect(s.engine.messages).toBe(5);
    expect(s.bytesIn).toBe(Buffer.byteLength('one\ntwo\r\nthree\n\nfour\r\n'));
    expect(s.bytesOut).toBe(s.bytesIn);
  });

  it('answers an unterminated message after flushMs of silence', async () => {
    const s = stream(20);
    s.write(Buffer.from('hello'));
    expect(await nextData(s)).toBe('HELLO');
    // Later bytes start a new message.
    s.write(Buffer.from('again\n'));
    expect(await nextData(s)).toBe('AGAIN\n');
    s.end();
    await once(s, 'end');
  });

  it('waits for silence: bytes that keep coming extend the message', async () => {
    const s = stream(200, 'count-s');
    const seen: string[] = [];
    s.on('data', (data: Buffer) => seen.push(data.toString()));
    s.write(Buffer.from('ss'));
    s.write(Buffer.from('ss'));
    // Written back to back, well within 200 ms: one message of four s.
    await sleep(1000);
    expect(seen).toEqual(['4']);
    s.destroy();
  });

  it('arms the idle flush only while a message is open', () => {
    const setTimer = jest.spyOn(global, 'setTimeout');
    const s = stream(10, 'count-s');
    try {
      s.write(Buffer.from('s\n'));
      // Pipelined traffic, whose chunks end at a newline, costs no timer.
      expect(setTimer).not.toHaveBeenCalled();
      s.write(Buffer.from('s'));
      expect(setTimer).toHaveBeenCalledTimes(1);
    } finally {
      s.destroy();
      setTimer.mockRestore();
    }
  });

  it('answers the tail at end of input, without waiting for the idle flush', async () => {
    const s = stream(60_000);
    const all = readAll(s);
    s.write(Buffer.from('first\ntail'));
    s.end();
    expect(await all).toBe('FIRST\nTAIL');
  });

  it('stops the idle flush when destroyed', async () => {
    const s = stream(20);
    s.on('data', () => undefined);
    s.write(Buffer.from('abc'));
    s.destroy();
    await sleep(150);
    expect(s.engine.messages).toBe(0);
  });

  it('applies backpressure: with the replies unread, writes return false and buffering stays bounded', async () => {
    const s = stream(60_000);
    const line = Buffer.from('x'.repeat(1023) + '\n');
    let writes = 0;
    let accepted = true;
    // Bounded loop: a stream without backpressure would accept all 10,000 writes.
    while (accepted && writes < 10_000) {
      accepted = s.write(line);
      writes++;
    }
    await sleep(20);
    expect(accepted).toBe(false);
    const buffered = s.writableLength + s.readableLength;
    expect(buffered).toBeLessThanOrEqual(256 * 1024);
    // Once read, every reply comes out and the writer is told to go on.
    const drained = once(s, 'drain');
    const all = readAll(s);
    await drained;
    s.end();
    const replies = await all;
    expect(replies.length).toBe(line.length * writes);
    expect(replies.startsWith('X'.repeat(100))).toBe(true);
  });
});
