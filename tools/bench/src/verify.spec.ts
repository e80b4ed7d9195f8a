import { MessageFactory } from './payload';
import { ReplyStreamChecker, describeMismatch } from './verify';

const LF = Buffer.from('\n');

/** The replies owed for `n` lines of one connection, as the tcp-pipe driver builds them. */
function replies(transform: 'upper' | 'count-s', n: number): Buffer[] {
  const f = new MessageFactory(transform, 63);
  return Array.from({ length: n }, (_, seq) => Buffer.concat([f.expectedReply(7, seq), LF]));
}

/** Cuts `stream` into chunks of the given sizes (cycling through them). */
function cut(stream: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(stream.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('ReplyStreamChecker', () => {
  it.each(['upper', 'count-s'] as const)('counts %s replies however the stream is cut, across cycle wraps', (transform) => {
    const cycle = replies(transform, 8);
    const checker = new ReplyStreamChecker(cycle);
    // Three cycles and a bit, sent with everything outstanding at once.
    const owed = [...cycle, ...cycle, ...cycle, cycle[0], cycle[1]];
    const stream = Buffer.concat(owed);
    let completed = 0;
    let outstanding = owed.length;
    for (const chunk of cut(stream, [1, 7, 64, 3, 130, 2])) {
      const done = checker.feed(chunk, outstanding);
      expect(done).toBeGreaterThanOrEqual(0);
      completed += done;
      outstanding -= done;
    }
    expect(completed).toBe(owed.length);
    expect(checker.completed).toBe(owed.length);
    expect(checker.mismatch).toBeUndefined();
  });

  it('detects a wrong byte and says which reply and byte it was', () => {
    const cycle = replies('upper', 4);
    const checker = new ReplyStreamChecker(cycle);
    expect(checker.feed(cycle[0], 4)).toBe(1);
    const bad = Buffer.from(cycle[1]);
    bad[20] = bad[20] + 0x20; // a lowercase letter where uppercase is owed
    expect(checker.feed(bad, 3)).toBe(-1);
    expect(checker.mismatch).toMatch(/^reply 1, byte 20: expected "/);
    // Once wrong, it stays wrong.
    expect(checker.feed(cycle[2], 2)).toBe(-1);
  });

  it('detects a reply that is the right text for another request (out of order)', () => {
    const cycle = replies('upper', 4);
    const checker = new ReplyStreamChecker(cycle);
    expect(checker.feed(cycle[1], 4)).toBe(-1);
    expect(checker.mismatch).toMatch(/^reply 0, byte \d+/);
  });

  it('detects a reply the server did not owe yet', () => {
    const cycle = replies('upper', 4);
    const checker = new ReplyStreamChecker(cycle);
    // Only one request outstanding, two replies' worth (correct text) arrive.
    expect(checker.feed(Buffer.concat([cycle[0], cycle[1]]), 1)).toBe(-1);
    expect(checker.mismatch).toMatch(/no request outstanding/);
  });

  it('detects bytes past the last outstanding reply, even a partial one', () => {
    const cycle = replies('upper', 4);
    const checker = new ReplyStreamChecker(cycle);
    expect(checker.feed(Buffer.concat([cycle[0], cycle[1].subarray(0, 5)]), 1)).toBe(-1);
  });

  it('detects a count-s reply with the wrong number', () => {
    const cycle = replies('count-s', 4); // "0\n", "1\n", "2\n", "3\n"
    const checker = new ReplyStreamChecker(cycle);
    expect(checker.feed(Buffer.from('0\n1\n'), 4)).toBe(2);
    expect(checker.feed(Buffer.from('3\n'), 2)).toBe(-1);
    expect(checker.mismatch).toBe('reply 2, byte 0: expected "2\\n", got "3\\n"');
  });

  it('does not mistake a CRLF reply for an LF one', () => {
    const cycle = replies('upper', 2);
    const checker = new ReplyStreamChecker(cycle);
    const crlf = Buffer.concat([cycle[0].subarray(0, -1), Buffer.from('\r\n')]);
    expect(checker.feed(crlf, 2)).toBe(-1);
  });
});

describe('describeMismatch', () => {
  it('is undefined for an exact reply and names the first differing byte otherwise', () => {
    expect(describeMismatch(Buffer.from('ABC'), Buffer.from('ABC'))).toBeUndefined();
    expect(describeMismatch(Buffer.from('ABc'), Buffer.from('ABC'))).toBe('byte 2 of 3: expected "C", got "c"');
    expect(describeMismatch(Buffer.from('AB'), Buffer.from('ABC'))).toBe('byte 2 of 3: expected "C", got ""');
    expect(describeMismatch(Buffer.from('ABCD'), Buffer.from('ABC'))).toBe('byte 3 of 3: expected "", got "D"');
  });
});
