/**
 * Requests and the replies they must get. The expected replies are computed here, independently
 * of the project's transform library, so a bug there cannot hide itself. Messages are ASCII: the
 * benchmark measures speed; Unicode correctness is the test suites' job.
 */
export type BenchTransform = 'upper' | 'count-s';
export const BENCH_TRANSFORMS: readonly BenchTransform[] = ['upper', 'count-s'];

/** Filler text with no letter s, so that count-s replies depend only on the marker prefix. */
const FILLER = Buffer.from('the quick brown fox jumped over a lazy dog 0123456789 ,.;:-_!? THE QUICK BROWN FOX', 'latin1');
const STRIDE = 7;
/** Upper-case messages start with their identity: stream * ID_BASE + seq, in base 26. */
export const ID_LETTERS = 10;
const ID_BASE = 1_000_000_000;
/** count-s messages start with seq % COUNT_CYCLE letters s/S, so a reply names its request. */
export const COUNT_CYCLE = 32;

export function asciiUpper(source: Buffer): Buffer {
  const out = Buffer.allocUnsafe(source.length);
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    out[i] = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
  }
  return out;
}

export function countS(source: Buffer, start = 0, end = source.length): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((source[i] | 0x20) === 0x73) n++;
  return n;
}

/**
 * The body (terminator not included) of message `seq` of stream `stream`, and its expected reply.
 * Bodies differ from stream to stream and from message to message, so a reply that went to the
 * wrong connection, came twice or out of order does not match.
 */
export class MessageFactory {
  private readonly lower: Buffer;
  private readonly upper: Buffer;
  readonly countCycle: number;

  constructor(
    readonly transform: BenchTransform,
    readonly bodyLength: number,
  ) {
    if (transform === 'upper' && bodyLength < ID_LETTERS) throw new Error(`messages need at least ${ID_LETTERS} bytes of body`);
    if (transform === 'count-s' && bodyLength < 1) throw new Error('count-s messages need at least 1 byte of body');
    this.countCycle = Math.min(bodyLength, COUNT_CYCLE);
    // One precomputed row per starting point in the filler keeps building a message to a copy.
    this.lower = Buffer.allocUnsafe(FILLER.length * bodyLength);
    for (let row = 0; row < FILLER.length; row++) {
      for (let i = 0; i < bodyLength; i++) this.lower[row * bodyLength + i] = FILLER[(i * STRIDE + row) % FILLER.length];
    }
    this.upper = asciiUpper(this.lower);
  }

  private row(stream: number, seq: number): number {
    return ((seq % FILLER.length) * 13 + (stream % FILLER.length) * 31) % FILLER.length;
  }

  /** Writes the body of message (stream, seq) at `offset` of `out`. */
  writeBody(out: Buffer, offset: number, stream: number, seq: number): void {
    const B = this.bodyLength;
    const start = this.row(stream, seq) * B;
    this.lower.copy(out, offset, start, start + B);
    if (this.transform === 'count-s') {
      const k = seq % this.countCycle;
      for (let i = 0; i < k; i++) out[offset + i] = i % 2 === 0 ? 0x73 : 0x53;
    } else {
      writeId(out, offset, stream * ID_BASE + seq, 0x61);
    }
  }

  body(stream: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(this.bodyLength);
    this.writeBody(out, 0, stream, seq);
    return out;
  }

  /** The reply the server owes for message (stream, seq), terminator not included. */
  expectedReply(stream: number, seq: number): Buffer {
    if (this.transform === 'count-s') return Buffer.from(String(seq % this.countCycle), 'latin1');
    const out = Buffer.allocUnsafe(this.bodyLength);
    this.writeExpected(out, stream, seq);
    return out;
  }

  /** Upper only: writes the owed reply into `out` (bodyLength bytes), for loops that avoid allocating. */
  writeExpected(out: Buffer, stream: number, seq: number): void {
    if (this.transform !== 'upper') throw new Error('writeExpected is for fixed-length (upper) replies');
    const B = this.bodyLength;
    const start = this.row(stream, seq) * B;
    this.upper.copy(out, 0, start, start + B);
    writeId(out, 0, stream * ID_BASE + seq, 0x41);
  }
}

function writeId(out: Buffer, offset: number, id: number, letterA: number): void {
  let v = id;
  for (let i = 0; i < ID_LETTERS; i++) {
    out[offset + i] = letterA + (v % 26);
    v = Math.floor(v / 26);
  }
}

/** The (stream, seq) an upper-case reply names, or undefined when its prefix is not an identity. */
export function readReplyId(reply: Buffer): { stream: number; seq: number } | undefined {
  if (reply.length < ID_LETTERS) return undefined;
  let v = 0;
  for (let i = ID_LETTERS - 1; i >= 0; i--) {
    const c = reply[i];
    if (c < 0x41 || c > 0x5a) return undefined;
    v = v * 26 + (c - 0x41);
  }
  return { stream: Math.floor(v / ID_BASE), seq: v % ID_BASE };
}

/** A count-s reply's value, or undefined when it is not a decimal number. */
export function readCount(reply: Buffer): number | undefined {
  if (reply.length === 0 || reply.length > 15) return undefined;
  let v = 0;
  for (let i = 0; i < reply.length; i++) {
    const c = reply[i];
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** Printable excerpt of bytes for a mismatch report. */
export function excerpt(bytes: Buffer, max = 48): string {
  // JSON.stringify shows LF and CR as \n and \r; other bytes outside printable ASCII become dots.
  const shown = bytes.subarray(0, max).toString('latin1').replace(/[^\x20-\x7e\n\r]/g, '.');
  return JSON.stringify(shown + (bytes.length > max ? '…' : ''));
}
