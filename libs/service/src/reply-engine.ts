import {
  DatagramDecoder,
  LineDecoder,
  ReplyEncoder,
  type MessageDecoder,
  type MessageEvents,
  type Terminator,
} from '@sockets/wire-codec';
import { isAscii } from 'node:buffer';
import type { Transducer } from '@sockets/transform';

/**
 * The whole per-message path of both servers, with no I/O: bytes in, reply bytes out.
 * decoder -> transducer -> encoder, each called straight through, so the bytes of a chunk go
 * down one way and come out as one buffer to write.
 */
export class ReplyEngine implements MessageEvents {
  /** Messages completed so far. */
  messages = 0;
  private readonly decoder: MessageDecoder;
  private readonly encoder = new ReplyEncoder();

  constructor(
    private readonly transducer: Transducer,
    framing: 'line' | 'datagram',
  ) {
    this.decoder = framing === 'line' ? new LineDecoder(this) : new DatagramDecoder(this);
  }

  /** Whether a message has started and not ended (what an idle flush would complete). */
  get open(): boolean {
    return this.decoder.open;
  }

  /**
   * The replies owed for `chunk`, or undefined if it completed no output yet. `chunk` becomes
   * the engine's: the replies may be written over it, and the result may share its memory.
   */
  feed(chunk: Buffer): Buffer | undefined {
    if (this.transducer.mapsAsciiInPlace() && !this.decoder.carriesOver && isAscii(chunk)) {
      // Each reply byte lands on the request byte it came from (terminators included), so the
      // replies can overwrite the chunk: no output buffer, and half the memory a bulk upload
      // leaves for the garbage collector, whose lag is what sets the server's peak RSS.
      this.encoder.writeOver(chunk);
    } else {
      // Room for the chunk's replies up front, as the transform expects them: no regrowing mid-chunk.
      this.encoder.ensure(this.transducer.outputSizeHint(chunk.length) + 2);
    }
    this.decoder.push(chunk);
    return this.encoder.take();
  }

  /** Ends an open message (end of input or idle) and returns what is still owed. */
  flush(): Buffer | undefined {
    this.decoder.flush();
    return this.encoder.take();
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
