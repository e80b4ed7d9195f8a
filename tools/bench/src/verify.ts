import { excerpt } from './payload';

/**
 * Checks one TCP connection's reply stream, byte for byte, against the replies owed for a cycle
 * of request lines sent over and over in order. The expected bytes of a whole cycle are laid out
 * twice in a row, so any chunk (never more than a cycle's worth is outstanding) is checked with
 * one `Buffer.compare` and no copy, however it is cut.
 */
export class ReplyStreamChecker {
  private readonly expected: Buffer;
  private readonly cycleBytes: number;
  /** Offset, within a cycle, at which each reply ends. */
  private readonly ends: number[];
  private offset = 0;
  private line = 0;
  /** Replies completed so far. */
  completed = 0;
  /** What went wrong, once something did; the checker then refuses everything. */
  mismatch: string | undefined;

  constructor(replies: readonly Buffer[]) {
    if (replies.length === 0) throw new Error('a reply cycle needs at least one reply');
    const cycle = Buffer.concat(replies as Buffer[]);
    this.cycleBytes = cycle.length;
    this.expected = Buffer.concat([cycle, cycle]);
    this.ends = [];
    let end = 0;
    for (const reply of replies) this.ends.push((end += reply.length));
  }

  /**
   * Takes the next chunk of the stream with `outstanding` requests not yet answered in full.
   * Returns how many replies the chunk completed, or -1 if a byte differs from what is owed or
   * the chunk runs past the last outstanding reply.
   */
  feed(chunk: Buffer, outstanding: number): number {
    if (this.mismatch !== undefined) return -1;
    let done = 0;
    // A chunk longer than a cycle (only when a window is larger than the cycle) goes in slices.
    for (let at = 0; at < chunk.length; at += this.cycleBytes) {
      const slice = at === 0 && chunk.length <= this.cycleBytes ? chunk : chunk.subarray(at, at + this.cycleBytes);
      const n = this.feedSlice(slice, outstanding - done);
      if (n < 0) return -1;
      done += n;
    }
    return done;
  }

  private feedSlice(chunk: Buffer, outstanding: number): number {
    const len = chunk.length;
    if (this.expected.compare(chunk, 0, len, this.offset, this.offset + len) !== 0) {
      this.describe(chunk);
      return -1;
    }
    let pos = this.offset + len;
    let done = 0;
    while (pos >= this.ends[this.line]) {
      done++;
      this.line++;
      if (this.line === this.ends.length) {
        this.line = 0;
        pos -= this.cycleBytes;
      }
    }
    if (done > outstanding || (done === outstanding && pos > (this.line === 0 ? 0 : this.ends[this.line - 1]))) {
      this.mismatch = `reply ${this.completed + outstanding}: bytes arrived with no request outstanding: ${excerpt(chunk)}`;
      return -1;
    }
    this.offset = pos;
    this.completed += done;
    return done;
  }

  private describe(chunk: Buffer): void {
    const expected = this.expected.subarray(this.offset, Math.min(this.offset + chunk.length, this.expected.length));
    let at = 0;
    while (at < chunk.length && at < expected.length && chunk[at] === expected[at]) at++;
    // Which reply the first wrong byte belongs to: walk the reply ends from the current one.
    let line = this.line;
    let reply = this.completed;
    let pos = this.offset + at;
    while (pos >= this.ends[line]) {
      reply++;
      line++;
      if (line === this.ends.length) {
        line = 0;
        pos -= this.cycleBytes;
      }
    }
    const replyStart = line === 0 ? 0 : this.ends[line - 1];
    this.mismatch = `reply ${reply}, byte ${pos - replyStart}: expected ${excerpt(expected.subarray(at))}, got ${excerpt(chunk.subarray(at))}`;
  }
}

/** Compares a whole reply (datagram, or the reply of a one-message connection) with what is owed. */
export function describeMismatch(got: Buffer, expected: Buffer): string | undefined {
  if (got.equals(expected)) return undefined;
  let at = 0;
  while (at < got.length && at < expected.length && got[at] === expected[at]) at++;
  return `byte ${at} of ${expected.length}: expected ${excerpt(expected.subarray(at))}, got ${excerpt(got.subarray(at))}`;
}
