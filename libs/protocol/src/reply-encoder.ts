import type { Terminator } from './message-events';
import type { ByteSink } from './transducer';

const CR = 0x0d;
const LF = 0x0a;
const MIN_CAPACITY = 256;
/** Below this many bytes a loop copies faster than `Buffer#copy`, which is a call into C++. */
const COPY_CALL_MIN = 32;

/**
 * Collects reply bytes and terminators into one buffer, handed out by `take()`. One buffer
 * per input chunk means one socket write per chunk however many messages it held.
 *
 * Who owns what: bytes handed out by `take()` are the caller's, and the encoder never writes
 * over them, unless the caller gives them back with `release()`. A server gives a reply back
 * once its socket has passed it to the kernel, so a busy connection keeps reusing one buffer
 * instead of leaving one for the garbage collector per chunk read.
 */
export class ReplyEncoder implements ByteSink {
  buf: Buffer = Buffer.allocUnsafe(0);
  pos = 0;
  /** Where the bytes not yet taken begin: `buf[start, pos)` is what `take()` hands out next. */
  private start = 0;
  /** What `take()` last handed out, while it is the last thing in `buf`: `release` may reuse it. */
  private taken: Buffer | undefined = undefined;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.start;
    // Sized by the part not handed out: a reply still held elsewhere is not ours to count.
    const capacity = Math.max(MIN_CAPACITY, pending + n, (this.buf.length - this.start) * 2);
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.taken = undefined;
    this.start = 0;
    this.pos = pending;
  }

  /** Appends the bytes of `src[start, end)` unchanged. */
  write(src: Buffer, start = 0, end = src.length): void {
    this.ensure(end - start);
    if (end - start >= COPY_CALL_MIN) {
      this.pos += src.copy(this.buf, this.pos, start, end);
      return;
    }
    // Short runs (a mapped code point, the ASCII between two of them) are most of what upper
    // writes on non-Latin text.
    const buf = this.buf;
    let pos = this.pos;
    for (let i = start; i < end; i++) buf[pos++] = src[i];
    this.pos = pos;
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
    if (this.pos === this.start) return undefined;
    const out = this.buf.subarray(this.start, this.pos);
    // What follows `out` is still free: the next replies go there, and `out` stays as it is.
    this.start = this.pos;
    this.taken = out;
    return out;
  }

  /**
   * The caller is done with `out`, the last buffer `take()` gave it: its memory is the
   * encoder's again. An older buffer cannot be given back (others may have been taken after
   * it), and is left alone.
   */
  release(out: Buffer): void {
    // Known by identity: cheaper than comparing buffers and offsets, and this runs per reply.
    if (out !== this.taken || this.pos !== this.start) return;
    this.taken = undefined;
    this.start = this.pos = this.start - out.length;
  }
}
