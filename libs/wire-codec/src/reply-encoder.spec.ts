import fc from 'fast-check';
import { ReplyEncoder } from './reply-encoder';

describe('ReplyEncoder', () => {
  it('has nothing to take until something is written', () => {
    const encoder = new ReplyEncoder();
    expect(encoder.take()).toBeUndefined();
    encoder.terminate('none');
    expect(encoder.take()).toBeUndefined();
  });

  it('takes back the last buffer it handed out, and only the last', () => {
    const encoder = new ReplyEncoder();
    encoder.write(Buffer.from('one'));
    const one = encoder.take() as Buffer;
    encoder.release(one);
    encoder.write(Buffer.from('two'));
    const two = encoder.take() as Buffer;
    expect(two.byteOffset).toBe(one.byteOffset);
    encoder.write(Buffer.from('six'));
    const six = encoder.take() as Buffer;
    encoder.release(two);
    encoder.write(Buffer.from('ten'));
    expect(encoder.take()?.toString()).toBe('ten');
    expect(two.toString() + six.toString()).toBe('twosix');
  });

  it('ignores a release while bytes are written and not yet taken', () => {
    const encoder = new ReplyEncoder();
    encoder.write(Buffer.from('a'));
    const a = encoder.take() as Buffer;
    encoder.write(Buffer.from('b'));
    encoder.release(a);
    encoder.write(Buffer.from('c'));
    expect(encoder.take()?.toString()).toBe('bc');
    expect(a.toString()).toBe('a');
  });

  it('ignores a release once it has moved to a larger buffer', () => {
    const encoder = new ReplyEncoder();
    encoder.write(Buffer.from('kept'));
    const kept = encoder.take() as Buffer;
    encoder.ensure(encoder.buf.length + 1);
    encoder.release(kept);
    encoder.write(Buffer.from('next'));
    expect(encoder.take()?.toString()).toBe('next');
    expect(kept.toString()).toBe('kept');
  });

  it('closes a reply with the terminator of its message', () => {
    const encoder = new ReplyEncoder();
    encoder.write(Buffer.from('A'));
    encoder.terminate('lf');
    encoder.write(Buffer.from('B'));
    encoder.terminate('crlf');
    encoder.write(Buffer.from('C'));
    encoder.terminate('none');
    expect(encoder.take()?.toString('latin1')).toBe('A\nB\r\nC');
    expect(encoder.take()).toBeUndefined();
  });

  it('writes a range of the source', () => {
    const encoder = new ReplyEncoder();
    encoder.write(Buffer.from('xxhelloxx'), 2, 7);
    expect(encoder.take()?.toString()).toBe('hello');
  });

  it('never changes a buffer once taken', () => {
    const encoder = new ReplyEncoder();
    encoder.write(Buffer.from('first'));
    const first = encoder.take() as Buffer;
    encoder.write(Buffer.from('second, and longer than the first'));
    encoder.terminate('crlf');
    const second = encoder.take() as Buffer;
    expect(first.toString()).toBe('first');
    expect(second.toString()).toBe('second, and longer than the first\r\n');
  });

  it('ensure(n) leaves room for n more bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 5000 }), fc.boolean()), { maxLength: 20 }), (steps) => {
        const encoder = new ReplyEncoder();
        for (const [n, take] of steps) {
          encoder.ensure(n);
          expect(encoder.buf.length - encoder.pos).toBeGreaterThanOrEqual(n);
          encoder.pos += n;
          if (take) encoder.take();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('grows to hold any sequence of writes and terminators, in order', () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 700 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom<'lf' | 'crlf' | 'none'>('lf', 'crlf', 'none'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, fc.boolean()), { maxLength: 40 }), (steps) => {
        const encoder = new ReplyEncoder();
        const expected: Buffer[] = [];
        const taken: Buffer[] = [];
        for (const [step, take] of steps) {
          if (typeof step === 'string') {
            encoder.terminate(step);
            expected.push(Buffer.from(step === 'crlf' ? '\r\n' : step === 'lf' ? '\n' : ''));
          } else {
            encoder.write(step);
            expected.push(step);
          }
          if (take) taken.push(encoder.take() ?? Buffer.alloc(0));
        }
        taken.push(encoder.take() ?? Buffer.alloc(0));
        expect(Buffer.concat(taken).equals(Buffer.concat(expected))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('grows from one byte at a time to a megabyte', () => {
    const encoder = new ReplyEncoder();
    const byte = Buffer.from([0x5a]);
    for (let i = 0; i < 1024 * 1024; i++) encoder.write(byte);
    const out = encoder.take() as Buffer;
    expect(out.length).toBe(1024 * 1024);
    expect(out.every((b) => b === 0x5a)).toBe(true);
  });
});
