/**
 * Where a transducer writes. `buf` and `pos` are exposed so a transform can run a tight loop
 * over raw bytes; it calls `ensure(n)` first, which may replace `buf`.
 */
export interface ByteSink {
  buf: Buffer;
  pos: number;
  ensure(n: number): void;
}

/**
 * A streaming transform of one message at a time: fed the message's bytes in as many pieces
 * as the network delivered, it writes its output as early as it can, so a server never has to
 * hold a whole message. One instance serves one stream of messages (a TCP connection, a UDP
 * socket) and keeps only the state a single message needs.
 */
export interface Transducer {
  /** Transforms `src[start, end)`, the next bytes of the current message. */
  push(src: Buffer, start: number, end: number, out: ByteSink): void;
  /** The current message has ended: writes whatever is still owed and resets. */
  end(out: ByteSink): void;
}
