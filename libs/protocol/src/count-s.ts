import type { ByteSink, Transducer } from './transducer';
import { WordViews } from './word-view';

const LOWER_S = 0x73;
const UPPER_S = 0x53;
/** Below this many bytes, setting up a word view costs more than it saves. */
const WORD_RUN_MIN = 64;

function isS(c: number): number {
  return c === LOWER_S || c === UPPER_S ? 1 : 0;
}

/**
 * Counts the bytes 's' and 'S' four at a time (SWAR), which bulk uploads under count-s need to
 * keep up with the network. `| 0x20` maps exactly 'S' and 's' to 0x73, so XOR with 0x73 leaves
 * a zero byte exactly where one was; the exact zero-byte test below cannot carry between bytes,
 * and the four resulting 0/1 flags are summed by one multiplication into the top byte.
 */
function countSWords(words: Uint32Array, first: number, count: number): number {
  let found = 0;
  for (let k = first; k < first + count; k++) {
    const y = (words[k] | 0x20202020) ^ 0x73737373;
    const zero = ~(((y & 0x7f7f7f7f) + 0x7f7f7f7f) | y | 0x7f7f7f7f);
    found += Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  return found;
}

const views = new WordViews();

/**
 * Counts `s` and `S`. Counting bytes is exact for any input: in UTF-8 the bytes of a multibyte
 * sequence are all >= 0x80, so they are never mistaken for an ASCII letter.
 */
export class CountSTransducer implements Transducer {
  private count = 0;

  push(src: Buffer, start: number, end: number): void {
    let count = this.count;
    let i = start;
    if (end - i >= WORD_RUN_MIN) {
      // Bytes one by one up to a 4-byte boundary, then whole words.
      for (const aligned = i + ((4 - ((src.byteOffset + i) & 3)) & 3); i < aligned; i++) count += isS(src[i]);
      const words = (end - i) >>> 2;
      count += countSWords(views.of(src.buffer), (src.byteOffset + i) >>> 2, words);
      i += words * 4;
    }
    for (; i < end; i++) count += isS(src[i]);
    this.count = count;
  }

  end(out: ByteSink): void {
    const digits = String(this.count);
    this.count = 0;
    out.ensure(digits.length);
    out.pos += out.buf.write(digits, out.pos, 'latin1');
  }
}
