import type { ByteSink } from '@sockets/wire-codec';

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
  /**
   * About how many output bytes `inputLength` input bytes give, so a caller can size its output
   * once per chunk rather than grow it message by message. A hint, not a bound.
   */
  outputSizeHint(inputLength: number): number;
  /**
   * True if, from here on, each ASCII byte's output is one byte written at the position of the
   * byte it came from (output position and input position stay level through ASCII), so an
   * ASCII chunk may be overwritten by its own output. False while bytes of an earlier chunk are
   * held, as their output would come first and run ahead.
   */
  mapsAsciiInPlace(): boolean;
}
