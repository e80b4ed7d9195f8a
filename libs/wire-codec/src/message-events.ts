/** How a message ended on the wire; a reply ends the same way. */
export type Terminator = 'lf' | 'crlf' | 'none';

/**
 * What a decoder reports. Fragments are given as a range of the caller's chunk instead of a
 * new Buffer: the hot path then allocates nothing per message, and a consumer that needs to
 * keep bytes copies them itself.
 */
export interface MessageEvents {
  /** Bytes `src[start, end)` belong to the current message (never an empty range). */
  onFragment(src: Buffer, start: number, end: number): void;
  /** The current message is complete; the next fragment starts a new one. */
  onEnd(terminator: Terminator): void;
}

/** A push parser: bytes in, events out, no I/O. */
export interface MessageDecoder {
  push(chunk: Buffer): void;
  /** End of input (or an idle flush): completes an open message with terminator `none`. */
  flush(): void;
  /** True while a message has started and not ended. */
  readonly open: boolean;
}
