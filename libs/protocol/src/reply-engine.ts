import { DatagramDecoder } from './datagram-decoder';
import { LineDecoder } from './line-decoder';
import type { MessageDecoder, MessageEvents, Terminator } from './message-events';
import { ReplyEncoder } from './reply-encoder';
import type { Transducer } from './transducer';
import { createTransducer, type TransformName } from './transforms';

/** How messages are cut out of the bytes: at line ends (TCP), or one per datagram (UDP). */
export type Framing = 'line' | 'datagram';

/**
 * The whole per-message path of both servers, with no I/O, in the manner of a push parser:
 * bytes in, reply bytes out. decoder -> transducer -> encoder, each called straight through,
 * so the bytes of a chunk go down one way and come out as one buffer to write.
 *
 * The engine reads the chunks it is fed and never writes to them. What `feed` and `flush`
 * return belongs to the caller, until the caller gives it back with `release`.
 */
export class ReplyEngine implements MessageEvents {
  /** Messages completed so far. */
  messages = 0;
  private readonly transducer: Transducer;
  private readonly decoder: MessageDecoder;

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
  }

  /** Whether a message has started and not ended (what an idle flush would complete). */
  get open(): boolean {
    return this.decoder.open;
  }

  /** The replies owed for `chunk`, or undefined if it completed no output yet. */
  feed(chunk: Buffer): Buffer | undefined {
    // No room reserved up front: the transducer asks for what it writes. A count-s reply is a
    // few bytes whatever the chunk, and a reply a socket has not yet sent keeps its whole
    // buffer alive; the buffer a busy connection releases is reused at the size it grew to.
    this.decoder.push(chunk);
    return this.encoder.take();
  }

  /** Ends an open message (end of input or idle) and returns what is still owed. */
  flush(): Buffer | undefined {
    this.decoder.flush();
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
}
