import type { BenchTransform } from './payload';

/** Pattern period: a prime, so the text never lines up with power-of-two read sizes. */
const PERIOD = 65_521;
/** The largest piece handed out or compared at once; bigger chunks are checked piecewise. */
export const BULK_PIECE = 256 * 1024;
const ALPHABET = Buffer.from('the five boxing wizards jump quickly; SPHINX OF BLACK QUARTZ, JUDGE MY VOW 0123456789', 'latin1');

/**
 * The tcp-bulk stream: `total` bytes cut into `lines` huge lines, each ending in LF, and the reply
 * the server owes for it. Nothing the size of the stream is ever held: bytes come from a
 * repeating pattern (kept twice over, so any piece is one view) and the expected reply is
 * computed from the offset.
 */
export class BulkPlan {
  /** Offset of each line's LF. */
  readonly lineEnds: number[];
  readonly replyTotal: number;
  private readonly lower: Buffer;
  private readonly upper: Buffer;
  private readonly counts: Buffer | undefined;

  constructor(
    readonly total: number,
    lines: number,
    readonly transform: BenchTransform,
  ) {
    if (!Number.isSafeInteger(total) || !Number.isSafeInteger(lines) || lines < 1 || total < lines) {
      throw new Error(`cannot cut ${total} bytes into ${lines} lines`);
    }
    const per = Math.floor(total / lines);
    this.lineEnds = Array.from({ length: lines }, (_, i) => (i === lines - 1 ? total - 1 : (i + 1) * per - 1));
    this.lower = Buffer.allocUnsafe(PERIOD + BULK_PIECE);
    this.upper = Buffer.allocUnsafe(PERIOD + BULK_PIECE);
    for (let i = 0; i < this.lower.length; i++) {
      const p = i % PERIOD;
      const c = ALPHABET[(p * 7 + Math.floor(p / ALPHABET.length)) % ALPHABET.length];
      this.lower[i] = c;
      this.upper[i] = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
    }
    if (transform === 'count-s') {
      const prefix = new Float64Array(PERIOD + 1);
      for (let i = 0; i < PERIOD; i++) prefix[i + 1] = prefix[i] + ((this.lower[i] | 0x20) === 0x73 ? 1 : 0);
      const upTo = (x: number) => Math.floor(x / PERIOD) * prefix[PERIOD] + prefix[x % PERIOD];
      let start = 0;
      const text = this.lineEnds.map((end) => {
        const n = upTo(end) - upTo(start);
        start = end + 1;
        return `${n}\n`;
      });
      this.counts = Buffer.from(text.join(''), 'latin1');
      this.replyTotal = this.counts.length;
    } else {
      this.counts = undefined;
      this.replyTotal = total;
    }
  }

  /** Request bytes [offset, offset + length), length at most BULK_PIECE. */
  request(offset: number, length: number): Buffer {
    const p = offset % PERIOD;
    const view = this.lower.subarray(p, p + length);
    const ends = this.lineEnds.filter((end) => end >= offset && end < offset + length);
    if (ends.length === 0) return view;
    const copy = Buffer.from(view);
    for (const end of ends) copy[end - offset] = 0x0a;
    return copy;
  }

  /** Whether `chunk` is exactly reply bytes [offset, offset + chunk.length). */
  checkReply(offset: number, chunk: Buffer): boolean {
    if (offset + chunk.length > this.replyTotal) return false;
    if (this.counts) return this.counts.compare(chunk, 0, chunk.length, offset, offset + chunk.length) === 0;
    let done = 0;
    while (done < chunk.length) {
      const at = offset + done;
      const nextEnd = this.lineEnds.find((end) => end >= at) ?? this.total;
      if (nextEnd === at) {
        if (chunk[done] !== 0x0a) return false;
        done++;
        continue;
      }
      const len = Math.min(chunk.length - done, nextEnd - at, BULK_PIECE);
      const p = at % PERIOD;
      if (this.upper.compare(chunk, done, done + len, p, p + len) !== 0) return false;
      done += len;
    }
    return true;
  }
}
