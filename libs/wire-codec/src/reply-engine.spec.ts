import fc from 'fast-check';
import { fromHex, loadTestVectors, retainedBytes, splitAt } from '@sockets/testing';
import { TRANSFORM_NAMES, createTransducer, transformMessage, type TransformName } from '@sockets/transform';
import { ReplyEncoder } from './reply-encoder';
import { ReplyEngine } from './reply-engine';

function run(name: TransformName, chunks: Buffer[], flushAtEnd: boolean): Buffer {
  const engine = new ReplyEngine(name, 'line');
  const out: Buffer[] = [];
  for (const chunk of chunks) out.push(engine.feed(chunk) ?? Buffer.alloc(0));
  if (flushAtEnd) out.push(engine.flush() ?? Buffer.alloc(0));
  return Buffer.concat(out);
}

/**
 * Split at LF (CR before it goes with it; the tail ends at end of input), transform each message
 * alone, add its terminator.
 */
function expectedReplies(name: TransformName, bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    const crlf = i > start && bytes[i - 1] === 0x0d;
    out.push(transformMessage(createTransducer(name), bytes.subarray(start, crlf ? i - 1 : i)), Buffer.from(crlf ? '\r\n' : '\n'));
    start = i + 1;
  }
  if (start < bytes.length) out.push(transformMessage(createTransducer(name), bytes.subarray(start)));
  return Buffer.concat(out);
}

const requestBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom('\n', '\r', '\r\n', 's', 'S', 'ß', 'ΐ', 'a', '€').map((s) => [...Buffer.from(s)]),
      fc.integer({ min: 0, max: 255 }).map((b) => [b]),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.from(parts.flat()));

describe('ReplyEngine', () => {
  describe('exchange vectors (docs/test-vectors.json)', () => {
    const { exchanges } = loadTestVectors();

    it('exist, with unique names', () => {
      expect(exchanges.length).toBeGreaterThan(5);
      expect(new Set(exchanges.map((vector) => vector.name)).size).toBe(exchanges.length);
    });

    it.each(exchanges.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
      const chunks = vector.chunksHex.map(fromHex);
      expect(run(vector.transform, chunks, vector.flushAtEnd).toString('hex')).toBe(vector.replyHex);
      const bytewise = [...Buffer.concat(chunks)].map((byte) => Buffer.from([byte]));
      expect(run(vector.transform, bytewise, vector.flushAtEnd).toString('hex')).toBe(vector.replyHex);
    });
  });

  it('over any chunking replies as each message transformed alone, with its terminator', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TRANSFORM_NAMES), requestBytes, fc.array(fc.nat({ max: 200 }), { maxLength: 10 }), (name, bytes, cuts) => {
        const expected = expectedReplies(name, bytes).toString('hex');
        const engine = new ReplyEngine(name, 'line');
        const out: Buffer[] = [];
        for (const chunk of splitAt(bytes, cuts)) out.push(engine.feed(chunk) ?? Buffer.alloc(0));
        // Before the end of input, an open message may already be partly answered (upper streams).
        expect(expected.startsWith(Buffer.concat(out).toString('hex'))).toBe(true);
        out.push(engine.flush() ?? Buffer.alloc(0));
        expect(Buffer.concat(out).toString('hex')).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('counts messages and open ones alike, whether it cuts lines (count-s) or streams them (upper)', () => {
    fc.assert(
      fc.property(requestBytes, fc.array(fc.nat({ max: 200 }), { maxLength: 10 }), (bytes, cuts) => {
        const upper = new ReplyEngine('upper', 'line');
        const countS = new ReplyEngine('count-s', 'line');
        let seen = 0;
        for (const chunk of splitAt(bytes, cuts)) {
          upper.feed(chunk);
          countS.feed(chunk);
          seen += chunk.length;
          const lineEnds = [...bytes.subarray(0, seen)].filter((b) => b === 0x0a).length;
          expect([upper.messages, upper.open]).toEqual([lineEnds, seen > 0 && bytes[seen - 1] !== 0x0a]);
          expect([countS.messages, countS.open]).toEqual([upper.messages, upper.open]);
        }
        upper.flush();
        countS.flush();
        expect([upper.messages, upper.open]).toEqual([countS.messages, false]);
      }),
      { numRuns: 300 },
    );
  });

  it('counts messages and reports an open one', () => {
    const engine = new ReplyEngine('upper', 'line');
    expect(engine.feed(Buffer.from('a\nb'))?.toString()).toBe('A\nB');
    expect(engine.messages).toBe(1);
    expect(engine.open).toBe(true);
    expect(engine.flush()).toBeUndefined();
    expect(engine.messages).toBe(2);
    expect(engine.open).toBe(false);
  });

  it('answers each datagram as one whole message, without a terminator', () => {
    const upper = new ReplyEngine('upper', 'datagram');
    expect(upper.feed(Buffer.from('hi\n'))?.toString()).toBe('HI\n');
    expect(upper.feed(Buffer.from([0xc3]))?.toString('hex')).toBe('c3');
    // The empty reply: nothing to take, and the caller sends an empty datagram.
    expect(upper.feed(Buffer.alloc(0))).toBeUndefined();
    expect(upper.messages).toBe(3);
    const countS = new ReplyEngine('count-s', 'datagram');
    expect(countS.feed(Buffer.alloc(0))?.toString()).toBe('0');
    expect(countS.feed(Buffer.from('s\ns\n'))?.toString()).toBe('2');
  });

  it('never writes to the chunks it is fed, whatever they hold and whatever came before', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TRANSFORM_NAMES), requestBytes, fc.array(fc.nat({ max: 200 }), { maxLength: 10 }), (name, bytes, cuts) => {
        const engine = new ReplyEngine(name, 'line');
        for (const chunk of splitAt(bytes, cuts)) {
          const before = Buffer.from(chunk);
          const out = engine.feed(chunk);
          expect(chunk.equals(before)).toBe(true);
          // Small buffers share Node's pool, so compare ranges of memory, not ArrayBuffers.
          const overlaps = out !== undefined && out.buffer === chunk.buffer && out.byteOffset < chunk.byteOffset + chunk.length && chunk.byteOffset < out.byteOffset + out.length;
          expect(overlaps).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reuses a released reply buffer for the next replies, and only that one', () => {
    const engine = new ReplyEngine('upper', 'line');
    const first = engine.feed(Buffer.from('one\n')) as Buffer;
    engine.release(first);
    const second = engine.feed(Buffer.from('two\n')) as Buffer;
    expect(second.toString()).toBe('TWO\n');
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    // Not released: the next replies go elsewhere and `second` keeps its bytes.
    const third = engine.feed(Buffer.from('six\n')) as Buffer;
    expect(third.byteOffset).not.toBe(second.byteOffset);
    expect(second.toString()).toBe('TWO\n');
    // An older buffer given back after a newer one was taken is ignored, not reused.
    engine.release(second);
    const fourth = engine.feed(Buffer.from('ten\n')) as Buffer;
    expect(third.toString()).toBe('SIX\n');
    expect(fourth.toString()).toBe('TEN\n');
  });

  it('shares one encoder between engines without one overwriting what another handed out', () => {
    const shared = new ReplyEncoder();
    const a = new ReplyEngine('upper', 'line', shared);
    const b = new ReplyEngine('count-s', 'line', shared);
    const held = a.feed(Buffer.from('held\n')) as Buffer;
    const released = b.feed(Buffer.from('ss\n')) as Buffer;
    b.release(released);
    expect(b.feed(Buffer.from('sss\n'))?.toString()).toBe('3\n');
    a.release(held);
    expect(held.toString()).toBe('HELD\n');
  });

  it('hands out buffers that later chunks do not overwrite', () => {
    const engine = new ReplyEngine('upper', 'line');
    const first = engine.feed(Buffer.from('one\n')) as Buffer;
    engine.feed(Buffer.from('two\nthree\n'));
    expect(first.toString()).toBe('ONE\n');
  });

  it('retains nothing of a 64 MiB line under upper, replies taken and dropped per chunk', () => {
    const CHUNK = 64 * 1024;
    const CHUNKS = 1024;
    const engine = new ReplyEngine('upper', 'line');
    let replied = 0;
    // Warm up: upper's table of non-ASCII mappings (about 1 MiB, once per process) is not per line.
    transformMessage(createTransducer('upper'), Buffer.from('ß'));
    const before = retainedBytes();
    for (let i = 0; i < CHUNKS; i++) {
      const chunk = Buffer.alloc(CHUNK, i % 2 === 0 ? 'abcß' : 'xyz');
      replied += engine.feed(chunk)?.length ?? 0;
    }
    const growth = retainedBytes() - before;
    expect(engine.open).toBe(true);
    // upper streams: ASCII comes out byte for byte, 'ß' as 'SS' (2 bytes for 2).
    expect(replied).toBeGreaterThanOrEqual(CHUNK * CHUNKS - 3);
    // Holding the line, or its replies, would cost 64 MiB or more.
    expect(growth).toBeLessThan(2 * 1024 * 1024);
  });
});
