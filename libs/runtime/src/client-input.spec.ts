import fc from 'fast-check';
import { chooseInputMode, readLines } from './client-input';

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield part;
}

async function collect(input: AsyncIterable<Buffer>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(input)) lines.push(line.toString('hex'));
  return lines;
}

const hex = (...texts: string[]) => texts.map((text) => Buffer.from(text, 'latin1').toString('hex'));

describe('readLines', () => {
  it('splits at LF and CRLF, also when the CRLF is split across chunks', async () => {
    const input = chunks(Buffer.from('one\r'), Buffer.from('\ntwo\nthr'), Buffer.from('ee\r\n'));
    expect(await collect(input)).toEqual(hex('one', 'two', 'three'));
  });

  it('keeps a last line without newline, and empty lines', async () => {
    expect(await collect(chunks(Buffer.from('a\n\nb')))).toEqual(hex('a', '', 'b'));
    expect(await collect(chunks(Buffer.from('a\n')))).toEqual(hex('a'));
    expect(await collect(chunks())).toEqual([]);
  });

  it('passes bytes that are not UTF-8, NUL and lone CRs through as they are', async () => {
    const raw = Buffer.from([0xff, 0xc3, 0x00, 0x0d, 0x41, 0xed, 0xa0, 0x80]);
    expect(await collect(chunks(raw.subarray(0, 2), raw.subarray(2), Buffer.from('\n')))).toEqual([raw.toString('hex')]);
  });

  it('yields lines that later chunks do not change', async () => {
    const first = Buffer.from('abc\n');
    const lines: Buffer[] = [];
    for await (const line of readLines(chunks(first, Buffer.from('def\n')))) {
      lines.push(line);
      first.fill(0x7a);
    }
    expect(lines.map((line) => line.toString())).toEqual(['abc', 'def']);
  });

  it('gives the same lines for any chunking', async () => {
    const text = fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n', 'é'), { maxLength: 40 }).map((parts) => Buffer.from(parts.join('')));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat({ max: 60 }), { maxLength: 8 }), async (bytes, cuts) => {
        const points = [...cuts.map((cut) => Math.min(cut, bytes.length)).sort((a, b) => a - b), bytes.length];
        const pieces = points.map((point, k) => bytes.subarray(k === 0 ? 0 : points[k - 1], point));
        expect(await collect(chunks(...pieces))).toEqual(await collect(chunks(bytes)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('chooseInputMode', () => {
  it('sends words when there are any, else prompts at a terminal and reads lines from a pipe', () => {
    expect(chooseInputMode(['hello'], { isTTY: true })).toBe('words');
    expect(chooseInputMode(['hello'], {})).toBe('words');
    expect(chooseInputMode([], { isTTY: true })).toBe('interactive');
    expect(chooseInputMode([], { isTTY: false })).toBe('piped');
    expect(chooseInputMode([], {})).toBe('piped');
  });
});
