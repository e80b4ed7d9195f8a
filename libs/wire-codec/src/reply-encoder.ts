import type { Terminator } from './message-events';

/**
 * Where a transform writes its output. `buf` and `pos` are exposed so a transform can run a
 * tight loop over raw bytes; it calls `ensure(n)` first, which may replace `buf`.
 */
export interface ByteSink {
  buf: Buffer;
  pos: number;
  ensure(n: number): void;
}

const CR = 0x0d;
const LF = 0x0a;
const MIN_CAPACITY = 256;

/**
 * Collects reply bytes and terminators into one buffer, handed out by `take()`. One buffer
 * per input chunk means one socket write per chunk however many messages it held.
 */
export class ReplyEncoder implements ByteSink {
  buf: Buffer = Buffer.allocUnsafe(0);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const capacity = Math.max(MIN_CAPACITY, this.pos + n, this.buf.length * 2);
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * The next replies are written over `chunk` itself, from its start. Only for a caller that
   * knows every reply byte lands at or before the request byte it came from, so nothing is
   * overwritten before it has been read; the chunk must be the caller's to change.
   */
  writeOver(chunk: Buffer): void {
    this.buf = chunk;
    this.pos = 0;
  }

  /** Appends the bytes of `src[start, end)` unchanged. */
  write(src: Buffer, start = 0, end = src.length): void {
    this.ensure(end - start);
    this.pos += src.copy(this.buf, this.pos, start, end);
  }

  /** Closes a reply with the terminator its message had. */
  terminate(terminator: Terminator): void {
    if (terminator === 'none') return;
    this.ensure(2);
    if (terminator === 'crlf') this.buf[this.pos++] = CR;
    this.buf[this.pos++] = LF;
  }

  /** The bytes written since the last call, or undefined if there are none. */
  take(): Buffer | undefined {
    if (this.pos === 0) return undefined;
    const out = this.buf.subarray(0, this.pos);
    // The next replies go to fresh memory: `out` now belongs to the caller (a socket write).
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    return out;
  }
}
