import type { ByteSink } from './byte-sink';

/**
 * A streaming transform of one message at a time: fed the message's bytes in as many pieces
 * as the network delivered, it writes its output as early as it can, so a server never has to
 * hold a whole message. One instance serves one stream of messages (a TCP connection, a UDP
 * socket) and keeps only the state a single message needs.
 */
export interface Transducer {
  /**
   * True if a line's terminator may pass through this transducer like any other byte: LF and CR
   * map to themselves, and nothing else depends on where a message ends (a code point cut short
   * by a terminator passes as the raw bytes it is, either way). A stream of lines then
   * transforms to the same bytes whole as line by line, and the engine need not cut it.
   */
  readonly passesTerminators: boolean;
  /** Transforms `src[start, end)`, the next bytes of the current message. */
  push(src: Buffer, start: number, end: number, out: ByteSink): void;
  /** The current message has ended: writes whatever is still owed and resets. */
  end(out: ByteSink): void;
}
