/**
 * An executable reading of docs/PROTOCOL.md, written apart from the production code so that the
 * two can be compared: fuzz tests and the soak tool check the servers' replies against it. It is
 * meant to be obviously correct, not fast: it looks at one byte or one code point at a time and
 * builds new buffers freely. It shares no code with libs/transform or libs/wire-codec.
 */

export type ModelTransform = 'upper' | 'count-s';
export type ModelTerminator = 'lf' | 'crlf' | 'none';

export interface ModelMessage {
  bytes: Buffer;
  terminator: ModelTerminator;
}

/**
 * A piece of a TCP stream as the client writes it, and how long the client then waits before
 * writing the next piece (or half-closing). A wait longer than the server's flush interval
 * ends an unterminated message.
 */
export interface TimedSegment {
  bytes: Buffer;
  pauseAfterMs: number;
}

const LF = 0x0a;
const CR = 0x0d;
const TERMINATOR_BYTES: Record<ModelTerminator, Buffer> = {
  lf: Buffer.from([LF]),
  crlf: Buffer.from([CR, LF]),
  none: Buffer.alloc(0),
};

/**
 * Well-formed UTF-8 byte sequences, Unicode table 3-7, row by row: the allowed range of each
 * byte of the sequence.
 */
const WELL_FORMED: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  [[0x00, 0x7f]],
  [[0xc2, 0xdf], [0x80, 0xbf]],
  [[0xe0, 0xe0], [0xa0, 0xbf], [0x80, 0xbf]],
  [[0xe1, 0xec], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xed, 0xed], [0x80, 0x9f], [0x80, 0xbf]],
  [[0xee, 0xef], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf0, 0xf0], [0x90, 0xbf], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf1, 0xf3], [0x80, 0xbf], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf4, 0xf4], [0x80, 0x8f], [0x80, 0xbf], [0x80, 0xbf]],
];

/** The length of the well-formed sequence starting at `bytes[at]`, or 0 if there is none. */
function wellFormedLengthAt(bytes: Buffer, at: number): number {
  for (const row of WELL_FORMED) {
    if (at + row.length > bytes.length) continue;
    if (row.every(([low, high], k) => bytes[at + k] >= low && bytes[at + k] <= high)) return row.length;
  }
  return 0;
}

/** `upper` of one whole message (PROTOCOL.md 2.1). */
export function modelUpper(message: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < message.length) {
    const length = wellFormedLengthAt(message, at);
    if (length === 0) {
      out.push(message.subarray(at, at + 1));
      at += 1;
      continue;
    }
    // The sequence is well-formed, so decoding it is exact: one code point, no U+FFFD.
    const codePoint = message.subarray(at, at + length).toString('utf8');
    out.push(Buffer.from(codePoint.toUpperCase(), 'utf8'));
    at += length;
  }
  return Buffer.concat(out);
}

/** `count-s` of one whole message (PROTOCOL.md 2.2). */
export function modelCountS(message: Buffer): Buffer {
  let count = 0;
  for (const byte of message) if (byte === 0x73 || byte === 0x53) count++;
  return Buffer.from(String(count), 'latin1');
}

export function modelTransform(transform: ModelTransform, message: Buffer): Buffer {
  return transform === 'upper' ? modelUpper(message) : modelCountS(message);
}

/**
 * The messages a TCP server sees in `stream` (PROTOCOL.md 4.1), where `stream` reaches the
 * server without any pause longer than the flush interval. `endsMessage` says whether the input
 * then ends an unterminated tail (half-close or idle flush); otherwise the tail is still open
 * and not reported.
 */
export function modelFrame(stream: Buffer, endsMessage: boolean): ModelMessage[] {
  const messages: ModelMessage[] = [];
  let start = 0;
  for (let at = 0; at < stream.length; at++) {
    if (stream[at] !== LF) continue;
    const crlf = at > start && stream[at - 1] === CR;
    messages.push({ bytes: stream.subarray(start, crlf ? at - 1 : at), terminator: crlf ? 'crlf' : 'lf' });
    start = at + 1;
  }
  if (endsMessage && start < stream.length) messages.push({ bytes: stream.subarray(start), terminator: 'none' });
  return messages;
}

/**
 * The messages of a stream written in timed pieces. A pause longer than `flushMs` cuts the
 * stream into independent parts: whatever part of a message came before it is a message of
 * its own, and the bytes after it start afresh.
 */
export function modelTimedMessages(segments: readonly TimedSegment[], flushMs: number, halfCloseAtEnd: boolean): ModelMessage[] {
  const messages: ModelMessage[] = [];
  let part: Buffer[] = [];
  segments.forEach((segment, index) => {
    part.push(segment.bytes);
    const last = index === segments.length - 1;
    const flushed = segment.pauseAfterMs > flushMs;
    if (flushed || last) {
      messages.push(...modelFrame(Buffer.concat(part), flushed || (last && halfCloseAtEnd)));
      part = [];
    }
  });
  return messages;
}

export function modelReply(transform: ModelTransform, message: ModelMessage): Buffer {
  return Buffer.concat([modelTransform(transform, message.bytes), TERMINATOR_BYTES[message.terminator]]);
}

/** Every byte a TCP server sends back for a stream written in timed pieces, in order. */
export function modelTcpReplies(
  segments: readonly TimedSegment[],
  transform: ModelTransform,
  options: { flushMs: number; halfCloseAtEnd: boolean },
): Buffer {
  const messages = modelTimedMessages(segments, options.flushMs, options.halfCloseAtEnd);
  return Buffer.concat(messages.map((message) => modelReply(transform, message)));
}

/** The largest UDP payload (PROTOCOL.md 3). */
export const MODEL_MAX_UDP_PAYLOAD = { ipv4: 65_507, ipv6: 65_527 } as const;

/** The reply datagram's payload, or undefined where the server must not send one. */
export function modelUdpReply(
  datagram: Buffer,
  transform: ModelTransform,
  maxPayload: number = MODEL_MAX_UDP_PAYLOAD.ipv4,
): Buffer | undefined {
  const reply = modelTransform(transform, datagram);
  return reply.length > maxPayload ? undefined : reply;
}
