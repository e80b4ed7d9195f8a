import fc from 'fast-check';
import { fromHex, loadTestVectors, retainedBytes, splitAt } from '@sockets/testing';
import { LineDecoder } from './line-decoder';
import type { Terminator } from './message-events';

interface Message {
  hex: string;
  terminator: Terminator;
}

/** A decoder wired to a recorder that also checks the fragment contract (non-empty, in range). */
function recordingDecoder(): { decoder: LineDecoder; messages: Message[] } {
  const messages: Message[] = [];
  let current: Buffer[] = [];
  const decoder = new LineDecoder({
    onFragment(src, start, end) {
      if (!(start >= 0 && start < end && end <= src.length)) {
        throw new Error(`bad fragment range [${start}, ${end}) of ${src.length}`);
      }
      // Copy now: the range belongs to the caller's chunk, which may be reused.
      current.push(Buffer.from(src.subarray(start, end)));
    },
    onEnd(terminator) {
      messages.push({ hex: Buffer.concat(current).toString('hex'), terminator });
      current = [];
    },
  });
  return { decoder, messages };
}

function decode(chunks: Buffer[], flushAtEnd: boolean): Message[] {
  const { decoder, messages } = recordingDecoder();
  for (const chunk of chunks) decoder.push(chunk);
  if (flushAtEnd) decoder.flush();
  return messages;
}

/**
 * The framing rule written as plainly as possible, on the whole input: split at LF; a CR right
 * before the LF goes with it; what follows the last LF is a message only at end of input.
 */
function model(bytes: Buffer, flushAtEnd: boolean): { messages: Message[]; open: boolean } {
  const messages: Message[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    const crlf = i > start && bytes[i - 1] === 0x0d;
    messages.push({ hex: bytes.subarray(start, crlf ? i - 1 : i).toString('hex'), terminator: crlf ? 'crlf' : 'lf' });
    start = i + 1;
  }
  const open = start < bytes.length;
  if (open && flushAtEnd) messages.push({ hex: bytes.subarray(start).toString('hex'), terminator: 'none' });
  return { messages, open };
}

/** Bytes where CR and LF are common, so their every arrangement comes up. */
const bytesRichInLineEnds = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(0x0d, 0x0a) },
      { weight: 2, arbitrary: fc.constant(0x61) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ),
    { maxLength: 80 },
  )
  .map((bytes) => Buffer.from(bytes));

/** Cut points, duplicates included, so empty chunks occur too. */
const cutPoints = fc.array(fc.nat({ max: 80 }), { maxLength: 12 });

const NUM_RUNS = 500;

describe('LineDecoder', () => {
  describe('test vectors (docs/test-vectors.json)', () => {
    const { framing } = loadTestVectors();

    it('has framing vectors with unique names', () => {
      expect(framing.length).toBeGreaterThan(10);
      expect(new Set(framing.map((vector) => vector.name)).size).toBe(framing.length);
    });

    it.each(framing.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
      const chunks = vector.chunksHex.map(fromHex);
      expect(decode(chunks, vector.flushAtEnd)).toEqual(vector.messages);
      // The chunking of a vector is one example; the whole input and one byte at a time agree.
      const whole = Buffer.concat(chunks);
      expect(decode([whole], vector.flushAtEnd)).toEqual(vector.messages);
      const bytewise = [...whole].map((byte) => Buffer.from([byte]));
      expect(decode(bytewise, vector.flushAtEnd)).toEqual(vector.messages);
    });
  });

  describe('properties', () => {
    it('any split into chunks gives the same messages and terminators as the whole input', () => {
      fc.assert(
        fc.property(bytesRichInLineEnds, cutPoints, fc.boolean(), (bytes, cuts, flushAtEnd) => {
          expect(decode(splitAt(bytes, cuts), flushAtEnd)).toEqual(decode([bytes], flushAtEnd));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('follows the framing rule (split at LF, CR before LF is part of the terminator)', () => {
      fc.assert(
        fc.property(bytesRichInLineEnds, cutPoints, fc.boolean(), (bytes, cuts, flushAtEnd) => {
          const { decoder, messages } = recordingDecoder();
          for (const chunk of splitAt(bytes, cuts)) decoder.push(chunk);
          const expected = model(bytes, flushAtEnd);
          expect(decoder.open).toBe(expected.open);
          if (flushAtEnd) decoder.flush();
          expect(messages).toEqual(expected.messages);
          expect(decoder.open).toBe(expected.open && !flushAtEnd);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('a flush between chunks (the idle flush) ends the open message there', () => {
      const segments = fc.array(fc.tuple(bytesRichInLineEnds, cutPoints), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(segments, (parts) => {
          const { decoder, messages } = recordingDecoder();
          const expected: Message[] = [];
          for (const [bytes, cuts] of parts) {
            for (const chunk of splitAt(bytes, cuts)) decoder.push(chunk);
            decoder.flush();
            expected.push(...model(bytes, true).messages);
          }
          expect(messages).toEqual(expected);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('cases', () => {
    it('joins a CRLF split at the chunk boundary into one crlf terminator', () => {
      expect(decode([Buffer.from('abc\r'), Buffer.from('\ndef\r'), Buffer.from('\n')], false)).toEqual([
        { hex: Buffer.from('abc').toString('hex'), terminator: 'crlf' },
        { hex: Buffer.from('def').toString('hex'), terminator: 'crlf' },
      ]);
    });

    it('stays open while a CR at a chunk end waits for the next chunk', () => {
      const { decoder } = recordingDecoder();
      decoder.push(Buffer.from('a\r'));
      expect(decoder.open).toBe(true);
      decoder.push(Buffer.from('\nb'));
      expect(decoder.open).toBe(true);
      decoder.push(Buffer.from('\n'));
      expect(decoder.open).toBe(false);
    });

    it('keeps a CR at a chunk end as message data when the next chunk does not start with LF', () => {
      expect(decode([Buffer.from('a\r'), Buffer.from('\r'), Buffer.from('b\n')], false)).toEqual([
        { hex: Buffer.from('a\r\rb').toString('hex'), terminator: 'lf' },
      ]);
    });

    it('ends an unterminated tail with none only at flush', () => {
      const { decoder, messages } = recordingDecoder();
      decoder.push(Buffer.from('one\ntwo'));
      expect(messages).toEqual([{ hex: Buffer.from('one').toString('hex'), terminator: 'lf' }]);
      decoder.flush();
      expect(messages[1]).toEqual({ hex: Buffer.from('two').toString('hex'), terminator: 'none' });
      decoder.flush();
      expect(messages).toHaveLength(2);
    });

    it('reports empty lines as empty messages', () => {
      expect(decode([Buffer.from('\n\r\n\n')], true)).toEqual([
        { hex: '', terminator: 'lf' },
        { hex: '', terminator: 'crlf' },
        { hex: '', terminator: 'lf' },
      ]);
    });

    it('reports the open flag: a message has started and not ended', () => {
      const { decoder } = recordingDecoder();
      expect(decoder.open).toBe(false);
      decoder.push(Buffer.alloc(0));
      expect(decoder.open).toBe(false);
      decoder.push(Buffer.from('a'));
      expect(decoder.open).toBe(true);
      decoder.push(Buffer.from('\n'));
      expect(decoder.open).toBe(false);
      // A held-back CR is the start of a message until the next chunk tells otherwise.
      decoder.push(Buffer.from('\r'));
      expect(decoder.open).toBe(true);
      decoder.push(Buffer.from('\n'));
      expect(decoder.open).toBe(false);
      decoder.push(Buffer.from('x\r'));
      expect(decoder.open).toBe(true);
      decoder.flush();
      expect(decoder.open).toBe(false);
    });

    it('passes fragments as ranges of the chunk without copying', () => {
      const chunk = Buffer.from('ab\ncd');
      const seen: Array<[Buffer, number, number]> = [];
      const decoder = new LineDecoder({ onFragment: (src, start, end) => seen.push([src, start, end]), onEnd: () => undefined });
      decoder.push(chunk);
      expect(seen).toEqual([
        [chunk, 0, 2],
        [chunk, 3, 5],
      ]);
      expect(seen[0][0]).toBe(chunk);
    });
  });

  describe('memory', () => {
    it('retains nothing of a 64 MiB line fed in 64 KiB chunks', () => {
      const CHUNK = 64 * 1024;
      const CHUNKS = 1024;
      let fragmentBytes = 0;
      let ends = 0;
      const decoder = new LineDecoder({
        onFragment: (_src, start, end) => {
          fragmentBytes += end - start;
        },
        onEnd: () => {
          ends++;
        },
      });
      const before = retainedBytes();
      for (let i = 0; i < CHUNKS; i++) {
        // A fresh buffer per chunk, as a socket delivers them; every other chunk ends with a CR
        // so the one byte the decoder may hold back is exercised too.
        const chunk = Buffer.alloc(CHUNK, 0x61);
        if (i % 2 === 0) chunk[CHUNK - 1] = 0x0d;
        decoder.push(chunk);
      }
      // Measured mid-line, while the decoder is still inside the 64 MiB message.
      const growth = retainedBytes() - before;
      expect(decoder.open).toBe(true);
      expect(ends).toBe(0);
      expect(fragmentBytes).toBe(CHUNK * CHUNKS);
      // Keeping the chunks would cost 64 MiB; the allowance is for unrelated heap noise.
      expect(growth).toBeLessThan(2 * 1024 * 1024);
      decoder.push(Buffer.from('\n'));
      expect(ends).toBe(1);
    });
  });
});
