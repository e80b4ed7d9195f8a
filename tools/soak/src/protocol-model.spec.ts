import fc from 'fast-check';
import {
  MODEL_MAX_UDP_PAYLOAD,
  fromHex,
  loadTestVectors,
  modelFrame,
  modelTcpReplies,
  modelTimedMessages,
  modelTransform,
  modelUdpReply,
  modelUpper,
  splitAt,
  type TimedSegment,
} from '@sockets/testing';

// The fuzz tests and the soak judge the servers by this model, so the model is judged first:
// by the protocol's own vectors, then by a few cases the vectors do not cover.
const vectors = loadTestVectors();
const hex = (bytes: Buffer | undefined) => bytes?.toString('hex');
const FLUSH_MS = 200;
const quick = (chunksHex: string[]): TimedSegment[] => chunksHex.map((h) => ({ bytes: fromHex(h), pauseAfterMs: 0 }));

describe('protocol model against docs/test-vectors.json', () => {
  it.each(vectors.transforms.map((v) => [v.name, v] as const))('transform vector %s', (_name, vector) => {
    expect(hex(modelTransform(vector.transform, fromHex(vector.inputHex)))).toBe(vector.outputHex);
    // A UDP server answers a datagram with the same body.
    expect(hex(modelUdpReply(fromHex(vector.inputHex), vector.transform))).toBe(vector.outputHex);
  });

  it.each(vectors.framing.map((v) => [v.name, v] as const))('framing vector %s', (_name, vector) => {
    const expected = vector.messages.map((m) => ({ hex: m.hex, terminator: m.terminator }));
    const framed = modelFrame(fromHex(vector.chunksHex.join('')), vector.flushAtEnd);
    expect(framed.map((m) => ({ hex: hex(m.bytes), terminator: m.terminator }))).toEqual(expected);
    const timed = modelTimedMessages(quick(vector.chunksHex), FLUSH_MS, vector.flushAtEnd);
    expect(timed.map((m) => ({ hex: hex(m.bytes), terminator: m.terminator }))).toEqual(expected);
  });

  it.each(vectors.exchanges.map((v) => [v.name, v] as const))('exchange vector %s', (_name, vector) => {
    const replies = modelTcpReplies(quick(vector.chunksHex), vector.transform, {
      flushMs: FLUSH_MS,
      halfCloseAtEnd: vector.flushAtEnd,
    });
    expect(hex(replies)).toBe(vector.replyHex);
  });
});

describe('protocol model beyond the vectors', () => {
  const timed = (...parts: Array<[string, number]>): TimedSegment[] =>
    parts.map(([h, pauseAfterMs]) => ({ bytes: fromHex(h), pauseAfterMs }));

  it('ends an unterminated message at a pause longer than the flush interval, and only then', () => {
    // "ab" pause "c\n": one message, or two, depending on the pause.
    const short = timed(['6162', FLUSH_MS], ['630a', 0]);
    const long = timed(['6162', FLUSH_MS + 1], ['630a', 0]);
    expect(hex(modelTcpReplies(short, 'count-s', { flushMs: FLUSH_MS, halfCloseAtEnd: true }))).toBe('300a');
    expect(hex(modelTcpReplies(long, 'count-s', { flushMs: FLUSH_MS, halfCloseAtEnd: true }))).toBe('30300a');
  });

  it('lets a flush cut a code point and a CRLF, and copies what it cut unchanged', () => {
    // é = c3 a9: cut by a flush, both halves are ill-formed and pass through.
    const cut = timed(['61c3', 500], ['a90d', 500], ['0a', 0]);
    expect(hex(modelTcpReplies(cut, 'upper', { flushMs: FLUSH_MS, halfCloseAtEnd: true }))).toBe('41c3a90d0a');
    expect(modelTimedMessages(cut, FLUSH_MS, true).map((m) => m.terminator)).toEqual(['none', 'none', 'lf']);
    expect(hex(modelTcpReplies(cut, 'count-s', { flushMs: FLUSH_MS, halfCloseAtEnd: true }))).toBe('3030300a');
  });

  it('leaves an unterminated tail unanswered without a half-close or a flush', () => {
    const open = timed(['610a62', 0]);
    expect(hex(modelTcpReplies(open, 'upper', { flushMs: FLUSH_MS, halfCloseAtEnd: false }))).toBe('410a');
    const flushed = timed(['610a62', FLUSH_MS * 2]);
    expect(hex(modelTcpReplies(flushed, 'upper', { flushMs: FLUSH_MS, halfCloseAtEnd: false }))).toBe('410a42');
  });

  it('answers a datagram only when the reply fits in one', () => {
    // U+0390 (2 bytes) uppercases to 6 bytes.
    const grows = Buffer.concat([Buffer.alloc(MODEL_MAX_UDP_PAYLOAD.ipv4 - 4, 'a'), Buffer.from('ΐ')]);
    expect(modelUdpReply(grows, 'upper')).toBeUndefined();
    expect(modelUdpReply(grows, 'upper', MODEL_MAX_UDP_PAYLOAD.ipv6)?.length).toBe(MODEL_MAX_UDP_PAYLOAD.ipv4 + 2);
    expect(hex(modelUdpReply(grows, 'count-s'))).toBe('30');
    const fits = Buffer.concat([Buffer.alloc(MODEL_MAX_UDP_PAYLOAD.ipv4 - 6, 'a'), Buffer.from('ΐ')]);
    expect(modelUdpReply(fits, 'upper')?.length).toBe(MODEL_MAX_UDP_PAYLOAD.ipv4);
  });

  it('uppercases valid UTF-8 text as the String method does the whole string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(modelUpper(Buffer.from(text, 'utf8')).toString('utf8')).toBe(text.toUpperCase());
      }),
      { seed: 1414, numRuns: 300 },
    );
  });

  it('gives the same replies however a stream is chunked, as long as no pause flushes', () => {
    const bytes = fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a.map((b) => [0x0a, 0x0d, 0x73, 0xc3, 0xa9, b][b % 6])));
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(60), { maxLength: 8 }), fc.constantFrom('upper' as const, 'count-s' as const), (stream, cuts, transform) => {
        const whole = modelTcpReplies([{ bytes: stream, pauseAfterMs: 0 }], transform, { flushMs: FLUSH_MS, halfCloseAtEnd: true });
        const pieces = splitAt(stream, cuts).map((piece) => ({ bytes: piece, pauseAfterMs: FLUSH_MS }));
        expect(hex(modelTcpReplies(pieces, transform, { flushMs: FLUSH_MS, halfCloseAtEnd: true }))).toBe(hex(whole));
      }),
      { seed: 1414, numRuns: 300 },
    );
  });
});
