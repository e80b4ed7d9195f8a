import type { ByteSink } from '@sockets/wire-codec';
import type { Transducer } from './transducer';

const LOWER_S = 0x73;
const UPPER_S = 0x53;

/**
 * Counts `s` and `S`. Counting bytes is exact for any input: in UTF-8 the bytes of a multibyte
 * sequence are all >= 0x80, so they are never mistaken for an ASCII letter.
 */
export class CountSTransducer implements Transducer {
  private count = 0;

  push(src: Buffer, start: number, end: number): void {
    let count = this.count;
    for (let i = start; i < end; i++) {
      const c = src[i];
      if (c === LOWER_S || c === UPPER_S) count++;
    }
    this.count = count;
  }

  /** A few digits per message, whatever the input's length. */
  outputSizeHint(): number {
    return 32;
  }

  /** An empty message's reply (`0` and its terminator) is longer than the message. */
  mapsAsciiInPlace(): boolean {
    return false;
  }

  end(out: ByteSink): void {
    const digits = String(this.count);
    this.count = 0;
    out.ensure(digits.length);
    out.pos += out.buf.write(digits, out.pos, 'latin1');
  }
}
