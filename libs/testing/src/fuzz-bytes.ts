import fc from 'fast-check';

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/**
 * Characters whose uppercase is special: longer than the input (ß, ΐ, ŉ, ﬀ), context-free where
 * one might expect context (final ς), a different length in bytes (ı, ſ, ꞵ), titlecase forms
 * (ǅ), and code points of every UTF-8 length.
 */
export const SPECIAL_CASE_TEXT = ['ß', 'ΐ', 'ŉ', 'ﬀ', 'ﬃ', 'ς', 'ı', 'İ', 'ſ', 'ǅ', 'ꞵ', 'ᾳ', 'é', 'ÿ', 'ǰ', 'ΰ', 'ⓐ', '𐐨', '𞤢', '😀'];

/**
 * Byte sequences that are not well-formed UTF-8: stray continuation bytes, bytes that never
 * start a sequence, overlong forms, an encoded surrogate, a code point above U+10FFFF, NUL.
 */
const ILL_FORMED: ReadonlyArray<readonly number[]> = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5],
  [0xfe],
  [0xff],
  [0x00],
];

const codePoint = fc
  .integer({ min: 0x80, max: 0x10ffff })
  .filter((cp) => cp < 0xd800 || cp > 0xdfff)
  .map((cp) => utf8(String.fromCodePoint(cp)));

/** A multibyte character without its last byte or bytes: a sequence cut off. */
const truncated = fc
  .tuple(fc.oneof(fc.constantFrom(...SPECIAL_CASE_TEXT).map(utf8), codePoint), fc.nat())
  .map(([bytes, cut]) => bytes.subarray(0, 1 + (cut % (bytes.length - 1))));

/**
 * One piece of a message, weighted toward the bytes framing and the transforms treat specially:
 * terminators and lone CRs, `s` and `S`, ASCII words, runs long enough for word-at-a-time code
 * paths, special-case and arbitrary code points, ill-formed and truncated sequences, raw bytes.
 */
export function interestingPiece(): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('\n', '\r\n', '\r', 's', 'S').map(latin1) },
    {
      weight: 6,
      arbitrary: fc.string({ unit: fc.constantFrom(...'abcfsxyzSAZ ,.09\t'), minLength: 1, maxLength: 12 }).map(latin1),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ unit: fc.constantFrom('a', 's', 'S', 'z', 'sa', 'Hello s '), times: fc.integer({ min: 16, max: 300 }) })
        .map(({ unit, times }) => latin1(unit.repeat(times))),
    },
    { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_CASE_TEXT).map(utf8) },
    { weight: 2, arbitrary: codePoint },
    { weight: 3, arbitrary: fc.constantFrom(...ILL_FORMED).map((bytes) => Buffer.from(bytes)) },
    { weight: 2, arbitrary: truncated },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => Buffer.from(bytes)) },
  );
}

/** A stream or message of up to `maxPieces` interesting pieces. */
export function interestingBytes(maxPieces: number): fc.Arbitrary<Buffer> {
  return fc.array(interestingPiece(), { maxLength: maxPieces, size: 'max' }).map((pieces) => Buffer.concat(pieces));
}

/**
 * A message of about `minLength` to `maxLength` bytes (never more than `maxLength`): one piece
 * repeated, then a few interesting pieces, so that a large message still has special bytes
 * near its end, where a reply may grow past a size limit.
 */
export function largeBytes(minLength: number, maxLength: number): fc.Arbitrary<Buffer> {
  return fc
    .record({
      fill: fc.oneof(fc.constantFrom('a', 'sS', 'ß', 'ΐ', 'ŉ', 'é', 'ﬀ', 'x\n').map(utf8), interestingPiece()),
      length: fc.integer({ min: minLength, max: maxLength }),
      tail: fc.array(fc.oneof(fc.constantFrom('ΐ', 'ŉ', 'ß', 'ﬀ').map(utf8), interestingPiece()), { maxLength: 6 }),
    })
    .map(({ fill, length, tail }) => {
      const end = Buffer.concat(tail);
      const body = Buffer.alloc(Math.max(0, length - end.length), fill.length > 0 ? fill : latin1('a'));
      return Buffer.concat([body, end]).subarray(0, maxLength);
    });
}
