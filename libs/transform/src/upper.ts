import type { ByteSink } from './byte-sink';
import { ASCII_KERNEL, type AsciiKernel, SLAB } from './ascii-kernel';
import type { Transducer } from './transducer';

/** What `upper` does to an ASCII byte: a..z become A..Z, every other byte stays. */
function upperAscii(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
}

/**
 * Full Unicode uppercase of well-formed UTF-8, as `String.prototype.toUpperCase()` without a
 * locale; every byte that is not part of well-formed UTF-8 passes through unchanged, so no input
 * is ever lost (a string round trip would turn it into U+FFFD). All of it is here:
 *
 * - ASCII, the common case, by the WebAssembly kernel, sixteen bytes at a time
 *   (ascii-kernel.wat); where a runtime has no WebAssembly, by `upperAscii` a byte at a time in
 *   `pushBytes`, the same rule, which the tests hold the kernel to;
 * - every other code point by `writeUpper`, through `toUpperCase()` once per code point.
 *
 * Without a locale, uppercasing is free of context, so mapping one code point at a time gives
 * the same result as mapping the string.
 */
export class UpperTransducer implements Transducer {
  /** Code points map one at a time, and LF and CR are ASCII that uppercasing leaves alone. */
  readonly passesTerminators = true;

  /**
   * The start of a code point cut off by the end of the last fragment (at most 3 bytes).
   * Made on first need: every connection has a transducer, and most never split a code point.
   */
  private held: Buffer | undefined;
  private heldLength = 0;

  /** `kernel` is for tests: every transducer shares the process's, null where there is none. */
  constructor(private readonly kernel: AsciiKernel | null = ASCII_KERNEL) {}

  push(src: Buffer, start: number, end: number, out: ByteSink): void {
    if (this.heldLength > 0) {
      start = this.completeHeld(src, start, end, out);
      if (this.heldLength > 0) return;
    }
    const kernel = this.kernel;
    if (kernel === null) {
      this.pushBytes(src, start, end, out);
      return;
    }
    // A slab at a time: the kernel uppercases the ASCII, and the runs between its code points
    // >= 0x80 are copied out as they are; each of those code points is mapped here, from `src`.
    while (start < end) {
      const n = Math.min(end - start, SLAB);
      let at = 0;
      let high = kernel.upper(src, start, n);
      for (;;) {
        out.write(kernel.memory, at, high);
        if (high === n) {
          at = n;
          break;
        }
        // A code point may run past the slab: `at` then starts the next one past its end.
        at = high + this.mapNonAscii(src, start + high, end, out);
        if (at >= n) break;
        high = kernel.nonAscii(at, n);
      }
      start += at;
    }
  }

  /** The bytes uppercased one at a time, the ASCII here and each other code point by mapNonAscii. */
  private pushBytes(src: Buffer, start: number, end: number, out: ByteSink): void {
    let i = start;
    while (i < end) {
      out.ensure(end - i);
      const buf = out.buf;
      let pos = out.pos;
      for (; i < end; i++) {
        const c = src[i];
        if (c >= 0x80) break;
        buf[pos++] = upperAscii(c);
      }
      out.pos = pos;
      if (i < end) i += this.mapNonAscii(src, i, end, out);
    }
  }

  end(out: ByteSink): void {
    if (this.heldLength > 0) {
      out.write(this.held as Buffer, 0, this.heldLength);
      this.heldLength = 0;
    }
  }

  /**
   * Maps the code point that starts at `src[i]` (a byte >= 0x80) and returns the bytes it took:
   * a well-formed sequence is uppercased, a byte that starts none passes as it is, and a
   * sequence cut off by the end of the fragment is held for the next one.
   */
  private mapNonAscii(src: Buffer, i: number, end: number, out: ByteSink): number {
    const length = sequenceLength(src, i, end);
    if (length > 0) {
      writeUpper(decode(src, i, length), src, i, length, out);
      return length;
    }
    if (length === TRUNCATED) {
      this.held ??= Buffer.allocUnsafe(4);
      src.copy(this.held, 0, i, end);
      this.heldLength = end - i;
      return end - i;
    }
    out.write(src, i, i + 1);
    return 1;
  }

  /**
   * Feeds the continuation bytes the held prefix is waiting for. Returns where the rest of
   * `src` starts; leaves `heldLength` > 0 only if `src` ran out before the code point did.
   */
  private completeHeld(src: Buffer, start: number, end: number, out: ByteSink): number {
    const held = this.held as Buffer;
    const needed = LEAD_LENGTH[held[0]];
    while (this.heldLength < needed && start < end) {
      if (!isContinuation(held[0], this.heldLength, src[start])) {
        // Not well-formed: the held bytes pass through and `src[start]` is read afresh.
        out.write(held, 0, this.heldLength);
        this.heldLength = 0;
        return start;
      }
      held[this.heldLength++] = src[start++];
    }
    if (this.heldLength === needed) {
      writeUpper(decode(held, 0, needed), held, 0, needed, out);
      this.heldLength = 0;
    }
    return start;
  }
}

const TRUNCATED = 0;
const INVALID = -1;

/** Sequence length by lead byte (Unicode table 3-7); 0 for bytes that cannot start one. */
const LEAD_LENGTH = new Uint8Array(256);
LEAD_LENGTH.fill(2, 0xc2, 0xe0);
LEAD_LENGTH.fill(3, 0xe0, 0xf0);
LEAD_LENGTH.fill(4, 0xf0, 0xf5);

/** Whether `b` may be byte `index` (1..3) of a sequence led by `lead`. */
function isContinuation(lead: number, index: number, b: number): boolean {
  if (index === 1) {
    // The second byte's range excludes overlong forms, surrogates and code points > U+10FFFF.
    if (lead === 0xe0) return b >= 0xa0 && b <= 0xbf;
    if (lead === 0xed) return b >= 0x80 && b <= 0x9f;
    if (lead === 0xf0) return b >= 0x90 && b <= 0xbf;
    if (lead === 0xf4) return b >= 0x80 && b <= 0x8f;
  }
  return b >= 0x80 && b <= 0xbf;
}

/** The length of the well-formed sequence at `src[i]`, or TRUNCATED, or INVALID. */
function sequenceLength(src: Buffer, i: number, end: number): number {
  const lead = src[i];
  const length = LEAD_LENGTH[lead];
  if (length === 0) return INVALID;
  for (let k = 1; k < length; k++) {
    if (i + k >= end) return TRUNCATED;
    if (!isContinuation(lead, k, src[i + k])) return INVALID;
  }
  return length;
}

function decode(src: Buffer, i: number, length: number): number {
  const lead = src[i];
  if (length === 2) return ((lead & 0x1f) << 6) | (src[i + 1] & 0x3f);
  if (length === 3) return ((lead & 0x0f) << 12) | ((src[i + 1] & 0x3f) << 6) | (src[i + 2] & 0x3f);
  return (
    ((lead & 0x07) << 18) | ((src[i + 1] & 0x3f) << 12) | ((src[i + 2] & 0x3f) << 6) | (src[i + 3] & 0x3f)
  );
}

/**
 * Uppercase mappings of non-ASCII code points, computed on first use. Most code points map to
 * themselves; a byte per code point records that (1.1 MB, allocated only once non-ASCII text
 * arrives), and the few hundred that change keep their UTF-8 bytes in a map.
 */
const UNKNOWN = 0;
const UNCHANGED = 1;
const CHANGED = 2;
let mappingKind: Uint8Array | undefined;
const mappedBytes = new Map<number, Buffer>();

function writeUpper(codePoint: number, src: Buffer, i: number, length: number, out: ByteSink): void {
  mappingKind ??= new Uint8Array(0x110000);
  let kind = mappingKind[codePoint];
  if (kind === UNKNOWN) {
    const original = String.fromCodePoint(codePoint);
    const upper = original.toUpperCase();
    kind = upper === original ? UNCHANGED : CHANGED;
    if (kind === CHANGED) mappedBytes.set(codePoint, Buffer.from(upper, 'utf8'));
    mappingKind[codePoint] = kind;
  }
  if (kind === UNCHANGED) out.write(src, i, i + length);
  else {
    const bytes = mappedBytes.get(codePoint) as Buffer;
    out.write(bytes, 0, bytes.length);
  }
}
