import type { ByteSink, Transducer } from './transducer';
import { dataViews, NEW_VIEW_RUN_MIN, wordViews } from './word-view';

/**
 * Full Unicode uppercase of well-formed UTF-8, as `String.prototype.toUpperCase()` without a
 * locale; every byte that is not part of well-formed UTF-8 passes through unchanged, so no input
 * is ever lost (a string round trip would turn it into U+FFFD). ASCII, the common case, is
 * mapped byte by byte without leaving the buffer. Without a locale, uppercasing is free of
 * context, so mapping one code point at a time gives the same result as mapping the string.
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

  push(src: Buffer, start: number, end: number, out: ByteSink): void {
    if (this.heldLength > 0) {
      start = this.completeHeld(src, start, end, out);
      if (this.heldLength > 0) return;
    }
    out.ensure(end - start);
    const runMin = wordsOf.has(src.buffer) || dataOf.has(src.buffer) ? WORD_RUN_MIN : NEW_VIEW_RUN_MIN;
    let buf = out.buf;
    let pos = out.pos;
    let i = start;
    while (i < end) {
      const c = src[i];
      if (c < 0x80) {
        const n = end - i >= runMin ? upperAsciiWords(src, i, end, buf, pos) : 0;
        if (n > 0) {
          i += n;
          pos += n;
        } else {
          buf[pos++] = upperAscii(c);
          i++;
        }
        continue;
      }
      out.pos = pos;
      const length = sequenceLength(src, i, end);
      if (length > 0) {
        writeUpper(decode(src, i, length), src, i, length, out);
        i += length;
      } else if (length === TRUNCATED) {
        this.held ??= Buffer.allocUnsafe(4);
        src.copy(this.held, 0, i, end);
        this.heldLength = end - i;
        i = end;
      } else {
        out.ensure(1);
        out.buf[out.pos++] = c;
        i++;
      }
      // The mapping may have grown the sink; the rest of the fragment still needs room.
      out.ensure(end - i);
      buf = out.buf;
      pos = out.pos;
    }
    out.pos = pos;
  }

  end(out: ByteSink): void {
    if (this.heldLength > 0) {
      writeRaw(this.held as Buffer, 0, this.heldLength, out);
      this.heldLength = 0;
    }
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
        writeRaw(held, 0, this.heldLength, out);
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

/** Below this many bytes, a word loop costs more than it saves, even with views at hand. */
const WORD_RUN_MIN = 16;

/**
 * Uppercases ASCII four bytes at a time (SWAR): for each byte b < 0x80, b + 0x1f sets its top
 * bit exactly when b >= 'a' and b + 0x05 exactly when b > 'z', so their XOR marks a..z, and
 * that mark shifted to 0x20 flips the case bit. No byte can carry into the next. Returns the
 * bytes done, stopping before the first word with a non-ASCII byte.
 *
 * Where source and sink sit alike modulo 4 (the engine places replies so: ReplyEncoder's
 * `alignWith`), a few bytes bring both to a word boundary and whole Uint32Array words follow,
 * the fastest loop JavaScript has for this; otherwise DataView words, at any offset.
 */
function upperAsciiWords(src: Buffer, i: number, end: number, dst: Buffer, pos: number): number {
  const from = src.byteOffset + i;
  const to = dst.byteOffset + pos;
  const length = end - i;
  let k = 0;
  if (((from - to) & 3) === 0) {
    for (; ((from + k) & 3) !== 0 && k < length; k++) {
      const c = src[i + k];
      if (c >= 0x80) return k;
      dst[pos + k] = upperAscii(c);
    }
    const source = wordsOf.of(src.buffer);
    const target = wordsOf.of(dst.buffer);
    const s0 = (from + k) >>> 2;
    const t0 = (to + k) >>> 2;
    const words = (length - k) >>> 2;
    let w0 = 0;
    // Two words a turn: one test for both, and half the loop's own cost per byte.
    for (; w0 + 1 < words; w0 += 2) {
      const a = source[s0 + w0];
      const b = source[s0 + w0 + 1];
      if (((a | b) & 0x80808080) !== 0) break;
      target[t0 + w0] = upperWord(a);
      target[t0 + w0 + 1] = upperWord(b);
    }
    // The last word, or the pair that held a non-ASCII byte, one word at a time.
    for (; w0 < words; w0++) {
      const w = source[s0 + w0];
      if ((w & 0x80808080) !== 0) break;
      target[t0 + w0] = upperWord(w);
    }
    return k + w0 * 4;
  }
  const source = dataOf.of(src.buffer);
  const target = dataOf.of(dst.buffer);
  for (; k + 4 <= length; k += 4) {
    const w = source.getUint32(from + k, true);
    if ((w & 0x80808080) !== 0) break;
    target.setUint32(to + k, upperWord(w), true);
  }
  return k;
}

function upperWord(w: number): number {
  return w ^ ((((w + 0x1f1f1f1f) ^ (w + 0x05050505)) & 0x80808080) >>> 2);
}

function upperAscii(c: number): number {
  return c - 0x61 < 26 && c >= 0x61 ? c - 0x20 : c;
}

const wordsOf = wordViews();
const dataOf = dataViews();

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
  if (kind === UNCHANGED) writeRaw(src, i, i + length, out);
  else {
    const bytes = mappedBytes.get(codePoint) as Buffer;
    writeRaw(bytes, 0, bytes.length, out);
  }
}

function writeRaw(src: Buffer, start: number, end: number, out: ByteSink): void {
  out.ensure(end - start);
  out.pos += src.copy(out.buf, out.pos, start, end);
}
