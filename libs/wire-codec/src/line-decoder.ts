import type { MessageDecoder, MessageEvents } from './message-events';

const LF = 0x0a;
const CR = 0x0d;
const CR_BYTE = Buffer.from([CR]);

/**
 * Splits a byte stream into messages at LF; a CR right before the LF belongs to the
 * terminator. Fragments are reported as they arrive, so a line of any length costs no memory
 * beyond the chunk in hand: the only byte ever held back is a CR at the very end of a chunk,
 * because only the next chunk can tell whether it starts a CRLF.
 */
export class LineDecoder implements MessageDecoder {
  private started = false;
  private pendingCR = false;

  constructor(private readonly events: MessageEvents) {}

  get open(): boolean {
    return this.started || this.pendingCR;
  }

  push(chunk: Buffer): void {
    const length = chunk.length;
    if (length === 0) return;
    let pos = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk[0] === LF) {
        this.finish('crlf');
        pos = 1;
      } else {
        // A lone CR is part of the message, not a terminator.
        this.fragment(CR_BYTE, 0, 1);
      }
    }
    while (pos < length) {
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) break;
      if (lf > pos && chunk[lf - 1] === CR) {
        if (lf - 1 > pos) this.fragment(chunk, pos, lf - 1);
        this.finish('crlf');
      } else {
        if (lf > pos) this.fragment(chunk, pos, lf);
        this.finish('lf');
      }
      pos = lf + 1;
    }
    if (pos < length) {
      if (chunk[length - 1] === CR) {
        if (length - 1 > pos) this.fragment(chunk, pos, length - 1);
        this.pendingCR = true;
        this.started = true;
      } else {
        this.fragment(chunk, pos, length);
      }
    }
  }

  flush(): void {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.fragment(CR_BYTE, 0, 1);
    }
    if (this.started) this.finish('none');
  }

  private fragment(src: Buffer, start: number, end: number): void {
    this.started = true;
    this.events.onFragment(src, start, end);
  }

  private finish(terminator: 'lf' | 'crlf' | 'none'): void {
    this.started = false;
    this.events.onEnd(terminator);
  }
}
