import { COUNT_CYCLE, MessageFactory, asciiUpper, countS, readCount, readReplyId } from './payload';

describe('MessageFactory', () => {
  const upper = new MessageFactory('upper', 63);
  const count = new MessageFactory('count-s', 63);

  it('owes the uppercase of each message, as String.prototype.toUpperCase gives it', () => {
    for (const [stream, seq] of [
      [0, 0],
      [3, 17],
      [49, 123_456],
    ]) {
      const body = upper.body(stream, seq);
      expect(body).toHaveLength(63);
      expect(body.includes(0x0a)).toBe(false);
      expect(upper.expectedReply(stream, seq).toString('latin1')).toBe(body.toString('latin1').toUpperCase());
    }
  });

  it('gives every (stream, seq) its own text, so misrouted or reordered replies cannot pass', () => {
    const seen = new Set<string>();
    for (let stream = 0; stream < 20; stream++) {
      for (let seq = 0; seq < 300; seq++) seen.add(upper.body(stream, seq).toString('latin1'));
    }
    expect(seen.size).toBe(20 * 300);
  });

  it('owes, for count-s, the number of letters s and S, which cycles with seq', () => {
    for (let seq = 0; seq < 70; seq++) {
      const body = count.body(5, seq);
      expect(countS(body)).toBe(seq % COUNT_CYCLE);
      expect(count.expectedReply(5, seq).toString()).toBe(String(countS(body)));
    }
  });

  it('writes the same expected reply in place as it returns', () => {
    const out = Buffer.alloc(63);
    upper.writeExpected(out, 2, 99);
    expect(out.equals(upper.expectedReply(2, 99))).toBe(true);
  });

  it('refuses bodies too short to carry an identity', () => {
    expect(() => new MessageFactory('upper', 5)).toThrow(/at least/);
  });
});

describe('reading replies', () => {
  it('reads the identity back from an uppercase reply', () => {
    const f = new MessageFactory('upper', 64);
    expect(readReplyId(f.expectedReply(6, 987_654))).toEqual({ stream: 6, seq: 987_654 });
    expect(readReplyId(f.body(6, 1))).toBeUndefined(); // still lowercase: not a reply
    expect(readReplyId(Buffer.from('SHORT'))).toBeUndefined();
  });

  it('reads a count only when it is all digits', () => {
    expect(readCount(Buffer.from('17'))).toBe(17);
    expect(readCount(Buffer.from('1 7'))).toBeUndefined();
    expect(readCount(Buffer.from(''))).toBeUndefined();
  });

  it('uppercases a-z only', () => {
    expect(asciiUpper(Buffer.from('abc xyz 09 ÄB{')).toString()).toBe('ABC XYZ 09 ÄB{');
  });
});
