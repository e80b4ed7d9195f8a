import fc from 'fast-check';
import { ByteSink } from './byte-sink';
import { transformMessage } from './transform-message';
import { UpperTransducer } from './upper';
import { SLAB } from './ascii-kernel';
import { splitAt } from '@sockets/testing';

const upper = (...pieces: Buffer[]): Buffer => transformMessage(new UpperTransducer(), ...pieces);

/**
 * The reference, built without the implementation's tables: a sequence is well-formed exactly
 * when the platform's strict decoder accepts it as one code point. Well-formed runs are
 * uppercased as strings, every other byte is kept as it is.
 */
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function wellFormedLength(bytes: Buffer, i: number): number {
  for (let length = 1; length <= 4 && i + length <= bytes.length; length++) {
    try {
      const text = strict.decode(bytes.subarray(i, i + length));
      if ([...text].length === 1) return length;
    } catch {
      // Not (yet) a whole code point: try one byte more.
    }
  }
  return 0;
}

function referenceUpper(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  let run = '';
  let i = 0;
  while (i < bytes.length) {
    const length = wellFormedLength(bytes, i);
    if (length > 0) {
      run += strict.decode(bytes.subarray(i, i + length));
      i += length;
    } else {
      out.push(Buffer.from(run.toUpperCase(), 'utf8'), bytes.subarray(i, i + 1));
      run = '';
      i++;
    }
  }
  out.push(Buffer.from(run.toUpperCase(), 'utf8'));
  return Buffer.concat(out);
}

/** Every code point below U+20000 whose uppercase differs (all cased scripts live there). */
const CASED: string[] = [];
for (let cp = 0; cp < 0x20000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCodePoint(cp);
  if (ch.toUpperCase() !== ch) CASED.push(ch);
}

const casedOrAny = fc.oneof(
  fc.constantFrom(...CASED),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
);
const validText = fc.string({ unit: casedOrAny, maxLength: 30 });

/** Byte sequences that are not well-formed UTF-8, of each kind the standard names. */
const illFormed = fc.oneof(
  fc.integer({ min: 0x80, max: 0xbf }).map((b) => [b]), // lone continuation
  fc.integer({ min: 0xf5, max: 0xff }).map((b) => [b]), // never in UTF-8
  fc.tuple(fc.constantFrom(0xc0, 0xc1), fc.integer({ min: 0x80, max: 0xbf })), // overlong 2-byte
  fc.tuple(fc.constant(0xe0), fc.integer({ min: 0x80, max: 0x9f }), fc.integer({ min: 0x80, max: 0xbf })), // overlong 3-byte
  fc.tuple(fc.constant(0xed), fc.integer({ min: 0xa0, max: 0xbf }), fc.integer({ min: 0x80, max: 0xbf })), // surrogate
  fc.tuple(fc.constant(0xf0), fc.integer({ min: 0x80, max: 0x8f }), fc.constant(0x80), fc.constant(0x80)), // overlong 4-byte
  fc.tuple(fc.constant(0xf4), fc.integer({ min: 0x90, max: 0xbf }), fc.constant(0x80), fc.constant(0x80)), // > U+10FFFF
  // A multibyte code point cut short.
  fc
    .tuple(fc.constantFrom(...CASED, '€', '😀', '𐐨'), fc.nat())
    .map(([ch, n]) => {
      const bytes = [...Buffer.from(ch, 'utf8')];
      return bytes.length > 1 ? bytes.slice(0, 1 + (n % (bytes.length - 1))) : [0xc3];
    }),
);

/** Arbitrary bytes, well-formed and not, with NUL and the ill-formed kinds common. */
const anyBytes = fc
  .array(
    fc.oneof(
      validText.map((s) => [...Buffer.from(s, 'utf8')]),
      illFormed,
      fc.constant([0x00]),
      fc.uint8Array({ maxLength: 6 }).map((bytes) => [...bytes]),
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.from(parts.flat()));

const cutPoints = fc.array(fc.nat({ max: 200 }), { maxLength: 10 });

const NUM_RUNS = 400;

describe('UpperTransducer', () => {
  it("maps 'ß' to 'SS' and 'ΐ' to its 6-byte uppercase", () => {
    expect(upper(Buffer.from('ß')).toString()).toBe('SS');
    const iota = upper(Buffer.from('ΐ'));
    expect(iota.toString('hex')).toBe('ce99cc88cc81');
    expect(iota).toHaveLength(6);
  });

  it('maps ASCII byte by byte and leaves non-letters alone', () => {
    const all = Buffer.from(Array.from({ length: 128 }, (_, i) => i));
    const expected = Buffer.from(all.map((c) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c)));
    expect(upper(all).equals(expected)).toBe(true);
  });

  it('on valid UTF-8 equals toUpperCase()', () => {
    fc.assert(
      fc.property(validText, (text) => {
        expect(upper(Buffer.from(text, 'utf8')).toString('hex')).toBe(Buffer.from(text.toUpperCase(), 'utf8').toString('hex'));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('on any string of full Unicode equals toUpperCase()', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(upper(Buffer.from(text, 'utf8')).equals(Buffer.from(text.toUpperCase(), 'utf8'))).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('maps every cased code point as toUpperCase() does', () => {
    const text = CASED.join('');
    expect(upper(Buffer.from(text, 'utf8')).equals(Buffer.from(text.toUpperCase(), 'utf8'))).toBe(true);
  });

  it('on arbitrary bytes uppercases the well-formed runs and keeps every other byte unchanged', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        expect(upper(bytes).toString('hex')).toBe(referenceUpper(bytes).toString('hex'));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('gives the same output for any chunking as for the whole input', () => {
    fc.assert(
      fc.property(anyBytes, cutPoints, (bytes, cuts) => {
        expect(upper(...splitAt(bytes, cuts)).toString('hex')).toBe(upper(bytes).toString('hex'));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('reads only its range of the source buffer', () => {
    fc.assert(
      fc.property(anyBytes, cutPoints, fc.uint8Array({ maxLength: 4 }), (bytes, cuts, padding) => {
        const transducer = new UpperTransducer();
        const out = new ByteSink();
        for (const chunk of splitAt(bytes, cuts)) {
          // Each chunk inside a larger buffer, surrounded by bytes that must not leak in.
          const framed = Buffer.concat([padding, chunk, Buffer.from([0xc3, 0x61]), padding]);
          transducer.push(framed, padding.length, padding.length + chunk.length, out);
        }
        transducer.end(out);
        expect(out.written().toString('hex')).toBe(upper(bytes).toString('hex'));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('starts each message afresh: a code point cut off at the end of one is not joined to the next', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyBytes, cutPoints), { maxLength: 5 }), (messages) => {
        const transducer = new UpperTransducer();
        for (const [bytes, cuts] of messages) {
          expect(transformMessage(transducer, ...splitAt(bytes, cuts)).toString('hex')).toBe(upper(bytes).toString('hex'));
        }
      }),
      { numRuns: NUM_RUNS },
    );
    const transducer = new UpperTransducer();
    expect(transformMessage(transducer, Buffer.from([0xc3])).toString('hex')).toBe('c3');
    expect(transformMessage(transducer, Buffer.from([0xa9])).toString('hex')).toBe('a9');
  });

  it('keeps every byte of ill-formed input, so the output is never shorter', () => {
    fc.assert(
      fc.property(fc.array(illFormed, { maxLength: 10 }), (parts) => {
        const bytes = Buffer.from(parts.flat());
        // Ill-formed pieces may still join into well-formed code points; what matters is that
        // the reference agrees and that no byte goes missing.
        expect(upper(bytes).toString('hex')).toBe(referenceUpper(bytes).toString('hex'));
      }),
      { numRuns: NUM_RUNS },
    );
    const invalid = Buffer.from('c080eda080f4908080f5ff80e282', 'hex');
    expect(upper(invalid).equals(invalid)).toBe(true);
  });
});

describe('upper on long ASCII runs (the kernel, sixteen bytes at a time)', () => {
  const naive = (bytes: Buffer) => Buffer.from(bytes.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)));

  it('maps every ASCII byte at every source and destination alignment', () => {
    const ascii = Buffer.from(Array.from({ length: 1000 }, (_, k) => (k * 37) % 128));
    for (let srcShift = 0; srcShift < 4; srcShift++) {
      for (let dstShift = 0; dstShift < 4; dstShift++) {
        const src = Buffer.alloc(ascii.length + 8);
        ascii.copy(src, srcShift);
        const piece = src.subarray(srcShift, srcShift + ascii.length);
        // Room enough that the sink never grows: the output lands at `dstShift` as placed.
        const out = new ByteSink();
        out.buf = Buffer.alloc(ascii.length + 8);
        out.pos = dstShift;
        new UpperTransducer().push(piece, 0, piece.length, out);
        expect(out.pos - dstShift).toBe(ascii.length);
        expect(out.buf.subarray(dstShift, out.pos)).toEqual(naive(ascii));
      }
    }
  });

  it('stops a word run at a non-ASCII byte and resumes after it', () => {
    const text = `${'abcdefgh'.repeat(10)}é${'xyz'.repeat(20)}ß${'q'.repeat(33)}`;
    expect(transformMessage(new UpperTransducer(), Buffer.from(text)).toString()).toBe(text.toUpperCase());
  });

  it('gives the same bytes with the WebAssembly kernel as with the byte loop, for any input and chunking', () => {
    const asciiRun = fc.string({ unit: 'binary-ascii', maxLength: 120 }).map((text) => [...Buffer.from(text, 'latin1')]);
    const long = fc
      .array(fc.oneof(asciiRun, anyBytes.map((bytes) => [...bytes])), { maxLength: 30 })
      .map((parts) => Buffer.from(parts.flat()));
    fc.assert(
      fc.property(long, cutPoints, (bytes, cuts) => {
        const pieces = splitAt(bytes, cuts);
        const fast = transformMessage(new UpperTransducer(), ...pieces);
        expect(fast.toString('hex')).toBe(transformMessage(new UpperTransducer(null), ...pieces).toString('hex'));
        expect(fast.toString('hex')).toBe(referenceUpper(bytes).toString('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same bytes whatever the length of the fragment, and wherever a code point falls in it', () => {
    // Around the 16-byte blocks of the kernel and the first cut, a code point before, inside or after each.
    for (let length = 90; length <= 102; length++) {
      for (const ch of ['é', '€', '𐐨']) {
        for (const at of [0, 1, 15, 16, length - 5, length - 4, length - 1]) {
          const bytes = Buffer.from('a'.repeat(length));
          const text = Buffer.concat([bytes.subarray(0, at), Buffer.from(ch), bytes.subarray(at)]);
          // Cut so that the first piece is `length` bytes: the code point may straddle the cut.
          const pieces = splitAt(text, [length]);
          expect(transformMessage(new UpperTransducer(), ...pieces).toString('hex')).toBe(referenceUpper(text).toString('hex'));
        }
      }
    }
  });

  it('maps a code point that straddles the end of a slab, and one cut off at the end of the input', () => {
    for (const ch of ['é', '€', '𐐨']) {
      for (let before = 1; before <= 4; before++) {
        const text = `${'a'.repeat(SLAB - before)}${ch}${'b'.repeat(SLAB)}${ch}`;
        const bytes = Buffer.from(text, 'utf8');
        expect(transformMessage(new UpperTransducer(), bytes).equals(Buffer.from(text.toUpperCase(), 'utf8'))).toBe(true);
        // Cut one byte into the last code point: the held prefix comes out raw at the end.
        const cut = bytes.subarray(0, bytes.length - Buffer.byteLength(ch) + 1);
        const expected = Buffer.concat([Buffer.from(text.slice(0, -ch.length).toUpperCase(), 'utf8'), cut.subarray(-1)]);
        expect(transformMessage(new UpperTransducer(), cut).equals(expected)).toBe(true);
      }
    }
  });
});
