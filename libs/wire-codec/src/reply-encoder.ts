import { ByteSink } from '@sockets/transform';
import type { Terminator } from './message-events';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Collects reply bytes and terminators into one buffer, handed out by `take()`. One buffer
 * per input chunk means one socket write per chunk however many messages it held.
 *
 * Who owns what: bytes handed out by `take()` are the caller's, and the encoder never writes
 * over them, unless the caller gives them back with `release()`. A server gives a reply back
 * once its socket has passed it to the kernel, so a busy connection keeps reusing one buffer
 * instead of leaving one for the garbage collector per chunk read.
 */
export class ReplyEncoder extends ByteSink {
  /** What `take()` last handed out, while it is the last thing in `buf`: `release` may reuse it. */
  private taken: Buffer | undefined = undefined;

  protected override grow(n: number): void {
    super.grow(n);
    this.taken = undefined;
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
