import { DatagramDecoder } from './datagram-decoder';
import { LineDecoder } from './line-decoder';
import type { MessageDecoder, MessageEvents, Terminator } from './message-events';
import { createTransducer, type Transducer, type TransformName } from '@sockets/transform';
import { ReplyEncoder } from './reply-encoder';

/** How messages are cut out of the bytes: at line ends (TCP), or one per datagram (UDP). */
export type Framing = 'line' | 'datagram';

const LF = 0x0a;

/**
 * The whole per-message path of both servers, with no I/O, in the manner of a push parser:
 * bytes in, reply bytes out. decoder -> transducer -> encoder, each called straight through,
 * so the bytes of a chunk go down one way and come out as one buffer to write.
 *
 * One shortcut: over lines, a transducer that `passesTerminators` (upper) is given each chunk
 * whole, line ends and all, since its output is then the same as line by line; the engine only
 * counts the line ends. The contract says as much: upper "can be applied as the bytes stream
 * through". Every other transform, and every datagram, goes through the decoder.
 *
 * The engine reads the chunks it is fed and never writes to them. What `feed` and `flush`
 * return belongs to the caller, until the caller gives it back with `release`.
 */
export class ReplyEngine implements MessageEvents {
  /** Messages completed so far. */
  messages = 0;
  private readonly transducer: Transducer;
  private readonly decoder: MessageDecoder;
  private readonly streams: boolean;
  /** When streaming: bytes have come since the last line end. */
  private streamOpen = false;

  /**
   * `encoder` may be shared by the engines of one server: each `feed` writes and takes its
   * replies in one synchronous step, and a released buffer is reused only if nothing was taken
   * after it, so one engine can never write over replies another has handed out.
   */
  constructor(
    transform: TransformName,
    framing: Framing,
    private readonly encoder: ReplyEncoder = new ReplyEncoder(),
  ) {
    this.transducer = createTransducer(transform);
    this.decoder = framing === 'line' ? new LineDecoder(this) : new DatagramDecoder(this);
    this.streams = framing === 'line' && this.transducer.passesTerminators;
  }

  /** Whether a message has started and not ended (what an idle flush would complete). */
  get open(): boolean {
    return this.streams ? this.streamOpen : this.decoder.open;
  }

  /** The replies owed for `chunk`, or undefined if it completed no output yet. */
  feed(chunk: Buffer): Buffer | undefined {
    // No room reserved up front: the transducer asks for what it writes. A count-s reply is a
    // few bytes whatever the chunk, and a reply a socket has not yet sent keeps its whole
    // buffer alive; the buffer a busy connection releases is reused at the size it grew to.
    if (this.streams) this.stream(chunk);
    else this.decoder.push(chunk);
    return this.encoder.take();
  }

  /** Ends an open message (end of input or idle) and returns what is still owed. */
  flush(): Buffer | undefined {
    if (!this.streams) this.decoder.flush();
    else if (this.streamOpen) {
      this.streamOpen = false;
      this.onEnd('none');
    }
    return this.encoder.take();
  }

  /**
   * Gives back the buffer the last `feed` or `flush` returned, once nothing holds it any more
   * (a socket has copied it to the kernel): the next replies are written into the same memory.
   */
  release(out: Buffer): void {
    this.encoder.release(out);
  }

  onFragment(src: Buffer, start: number, end: number): void {
    this.transducer.push(src, start, end, this.encoder);
  }

  onEnd(terminator: Terminator): void {
    this.transducer.end(this.encoder);
    this.encoder.terminate(terminator);
    this.messages++;
  }

  /** The shortcut: the chunk goes through whole, and each LF in it ends a message. */
  private stream(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.transducer.push(chunk, 0, chunk.length, this.encoder);
    let ends = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) ends++;
    this.messages += ends;
    this.streamOpen = chunk[chunk.length - 1] !== LF;
  }
}
