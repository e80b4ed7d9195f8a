import fc from 'fast-check';
import { ByteSink } from './byte-sink';
import { CountSTransducer } from './count-s';
import { SLAB } from './ascii-kernel';
import { transformMessage } from './transform-message';
import { splitAt } from '@sockets/testing';

function naiveCount(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 0x73 || byte === 0x53) count++;
  return count;
}

const sRich = fc
  .array(fc.oneof(fc.constantFrom(0x73, 0x53), fc.integer({ min: 0, max: 255 })), { maxLength: 300 })
  .map((bytes) => Buffer.from(bytes));

describe('CountSTransducer', () => {
  it("counts 's' and 'S' as a naive count does, for arbitrary bytes and any chunking", () => {
    fc.assert(
      fc.property(sRich, fc.array(fc.nat({ max: 300 }), { maxLength: 10 }), (bytes, cuts) => {
        const reply = transformMessage(new CountSTransducer(), ...splitAt(bytes, cuts));
        expect(reply.toString('latin1')).toBe(String(naiveCount(bytes)));
      }),
      { numRuns: 300 },
    );
  });

  it('counts exactly on long runs at every alignment, near misses included', () => {
    // 0xd3 and 0xf3 are 'S' and 's' with the top bit set; 0x13, 0x33 and 0x72 differ by one bit.
    const nearMisses = fc.constantFrom(0x73, 0x53, 0xd3, 0xf3, 0x13, 0x33, 0x72, 0x63, 0x00, 0xff);
    const longRun = fc.array(fc.oneof(nearMisses, fc.integer({ min: 0, max: 255 })), { minLength: 64, maxLength: 600 });
    fc.assert(
      fc.property(longRun, fc.nat({ max: 3 }), fc.nat({ max: 3 }), (bytes, offset, trim) => {
        const backing = Buffer.alloc(bytes.length + 8);
        const src = backing.subarray(offset, offset + bytes.length);
        src.set(bytes);
        const transducer = new CountSTransducer();
        const out = new ByteSink();
        transducer.push(src, 0, src.length - trim);
        transducer.end(out);
        expect(out.written().toString('latin1')).toBe(String(naiveCount(src.subarray(0, src.length - trim))));
      }),
      { numRuns: 500 },
    );
  });

  it('replies in decimal ASCII', () => {
    expect(transformMessage(new CountSTransducer(), Buffer.from('Mississippi')).toString('hex')).toBe('34');
    expect(transformMessage(new CountSTransducer(), Buffer.alloc(0)).toString()).toBe('0');
    expect(transformMessage(new CountSTransducer(), Buffer.alloc(12345, 's')).toString()).toBe('12345');
  });

  it('starts each message from zero', () => {
    const transducer = new CountSTransducer();
    expect(transformMessage(transducer, Buffer.from('sss')).toString()).toBe('3');
    expect(transformMessage(transducer, Buffer.from('S')).toString()).toBe('1');
    expect(transformMessage(transducer).toString()).toBe('0');
  });

  it('counts a fragment longer than a slab, with the WebAssembly kernel as with the byte loop', () => {
    const bytes = Buffer.alloc(2 * SLAB + 37, 'xS');
    const expected = String(naiveCount(bytes));
    expect(transformMessage(new CountSTransducer(), bytes).toString()).toBe(expected);
    expect(transformMessage(new CountSTransducer(null), bytes).toString()).toBe(expected);
  });
});
