import type { MessageDecoder, MessageEvents } from './message-events';

/** UDP framing is the trivial case: one datagram is one whole message, the empty one included. */
export class DatagramDecoder implements MessageDecoder {
  readonly open = false;

  constructor(private readonly events: MessageEvents) {}

  push(datagram: Buffer): void {
    if (datagram.length > 0) this.events.onFragment(datagram, 0, datagram.length);
    this.events.onEnd('none');
  }

  flush(): void {
    // Every datagram is complete on arrival; nothing is ever pending.
  }
}
