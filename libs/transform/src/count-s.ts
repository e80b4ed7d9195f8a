import { ASCII_KERNEL, type AsciiKernel, SLAB } from './ascii-kernel';
import type { ByteSink } from './byte-sink';
import type { Transducer } from './transducer';

/** 1 for 's' or 'S', else 0: `| 0x20` maps exactly those two bytes to 's'. */
function isS(c: number): number {
  return (c | 0x20) === 0x73 ? 1 : 0;
}

/**
 * Counts `s` and `S`, sixteen bytes at a time by the WebAssembly kernel (ascii-kernel.wat);
 * where a runtime has no WebAssembly, a byte at a time by `isS`, the same rule, which the tests
 * hold the kernel to. Counting bytes is exact for any input: in UTF-8 the bytes of a multibyte
 * sequence are all >= 0x80, so they are never mistaken for an ASCII letter.
 */
export class CountSTransducer implements Transducer {
  /** Each line is answered with its own count. */
  readonly passesTerminators = false;
  private count = 0;

  /** `kernel` is for tests: every transducer shares the process's, null where there is none. */
  constructor(private readonly kernel: AsciiKernel | null = ASCII_KERNEL) {}

  push(src: Buffer, start: number, end: number): void {
    const kernel = this.kernel;
    if (kernel === null) {
      for (let i = start; i < end; i++) this.count += isS(src[i]);
      return;
    }
    for (let i = start; i < end; i += SLAB) this.count += kernel.countS(src, i, Math.min(SLAB, end - i));
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
