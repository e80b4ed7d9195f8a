import { ASCII_KERNEL, type AsciiKernel, isS, SLAB } from './ascii-kernel';
import type { ByteSink } from './byte-sink';
import type { Transducer } from './transducer';

/**
 * From this many bytes on, a fragment is counted by the kernel, sixteen bytes at a time: below
 * it, copying the bytes into the kernel's memory costs more than the count. A line of a few
 * dozen bytes, the common case, is counted four bytes at a time here instead.
 */
const KERNEL_MIN = 256;
/** Below this many bytes, even a four-byte loop costs more than it saves. */
const WORD_RUN_MIN = 16;

/**
 * Counts the bytes 's' and 'S' four at a time (SWAR). `| 0x20` maps exactly 'S' and 's' to
 * 0x73, so XOR with 0x73 leaves a zero byte exactly where one was; the exact zero-byte test
 * below cannot carry between bytes, and the four resulting 0/1 flags are summed by one
 * multiplication into the top byte.
 */
function countSWords(view: DataView, from: number, words: number): number {
  let found = 0;
  for (let at = from; at < from + words * 4; at += 4) {
    const y = (view.getUint32(at, true) | 0x20202020) ^ 0x73737373;
    const zero = ~(((y & 0x7f7f7f7f) + 0x7f7f7f7f) | y | 0x7f7f7f7f);
    found += Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  return found;
}

/**
 * A DataView of the buffer last counted in: making one costs more than the loop over a short
 * line, and over TCP every line of a chunk is a fragment of one buffer, so one view serves all.
 */
let viewed: ArrayBufferLike | undefined;
let view: DataView = new DataView(new ArrayBuffer(0));

function viewOf(buffer: ArrayBufferLike): DataView {
  if (viewed !== buffer) {
    viewed = buffer;
    view = new DataView(buffer);
  }
  return view;
}

/**
 * Counts `s` and `S`. Counting bytes is exact for any input: in UTF-8 the bytes of a multibyte
 * sequence are all >= 0x80, so they are never mistaken for an ASCII letter.
 */
export class CountSTransducer implements Transducer {
  /** Each line is answered with its own count. */
  readonly passesTerminators = false;
  private count = 0;

  /** `kernel` is for tests: every transducer shares the one the platform runs fastest. */
  constructor(private readonly kernel: AsciiKernel = ASCII_KERNEL) {}

  push(src: Buffer, start: number, end: number): void {
    if (end - start >= KERNEL_MIN) {
      for (let i = start; i < end; i += SLAB) this.count += this.kernel.countS(src, i, Math.min(SLAB, end - i));
      return;
    }
    let count = this.count;
    let i = start;
    if (end - i >= WORD_RUN_MIN) {
      const words = (end - i) >>> 2;
      count += countSWords(viewOf(src.buffer), src.byteOffset + i, words);
      i += words * 4;
    }
    for (; i < end; i++) count += isS(src[i]);
    this.count = count;
  }

  end(out: ByteSink): void {
    let count = this.count;
    this.count = 0;
    // Decimal digits written straight into the sink, last digit first: a reply per line is the
    // whole of count-s's output, and a string plus Buffer#write per reply costs more than the
    // count did.
    let digits = 1;
    for (let rest = count; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    out.ensure(digits);
    const buf = out.buf;
    for (let i = out.pos + digits - 1; i >= out.pos; i--) {
      buf[i] = 0x30 + (count % 10);
      count = Math.floor(count / 10);
    }
    out.pos += digits;
  }
}
