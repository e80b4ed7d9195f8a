const MIN_CAPACITY = 256;
/** Below this many bytes a loop copies faster than `Buffer#copy`, which is a call into C++. */
const COPY_CALL_MIN = 32;

/**
 * Where a transducer writes: a buffer that grows. `buf` and `pos` are exposed so a transform can
 * run a tight loop over raw bytes; it calls `ensure(n)` first, which may replace `buf`. `write`
 * appends bytes as they are. The wire codec's ReplyEncoder is one, which also hands its bytes out.
 */
export class ByteSink {
  buf: Buffer = Buffer.allocUnsafe(0);
  pos = 0;
  /**
   * Where the bytes that are still the sink's begin: what is before it has been handed out,
   * and growing copies only `buf[start, pos)`.
   */
  protected start = 0;

  /** Makes room for `n` more bytes at `pos`. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  protected grow(n: number): void {
    const pending = this.pos - this.start;
    // Sized by the part not handed out: bytes held elsewhere are not ours to count.
    const capacity = Math.max(MIN_CAPACITY, pending + n, (this.buf.length - this.start) * 2);
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
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

  /** What has been written and not handed out. */
  written(): Buffer {
    return this.buf.subarray(this.start, this.pos);
  }
}
