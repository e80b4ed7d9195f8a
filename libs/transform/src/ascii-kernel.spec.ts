import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { WORKSPACE_ROOT } from '@sockets/testing';
import { type AsciiKernel, SLAB, wasmKernel } from './ascii-kernel';

const wasm = wasmKernel() as AsciiKernel;

/** The kernel's jobs a byte at a time, as the transducers do them without WebAssembly. */
const bytewise = (() => {
  const memory = Buffer.alloc(SLAB);
  const nonAscii = (from: number, n: number): number => {
    let i = from;
    while (i < n && memory[i] < 0x80) i++;
    return i;
  };
  return {
    memory,
    upper(src: Buffer, start: number, n: number): number {
      for (let k = 0; k < n; k++) {
        const c = src[start + k];
        memory[k] = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
      }
      return nonAscii(0, n);
    },
    nonAscii,
    countS(src: Buffer, start: number, n: number): number {
      let count = 0;
      for (let k = start; k < start + n; k++) if (src[k] === 0x73 || src[k] === 0x53) count++;
      return count;
    },
  };
})();

/** Mostly ASCII with many s and S, some bytes >= 0x80, lengths across several 16-byte blocks. */
const slabBytes = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.constantFrom(0x73, 0x53, 0xf3, 0xd3), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 300 })
  .map((bytes) => Buffer.from(bytes));

describe('the ASCII kernel', () => {
  it('runs as WebAssembly on this node, so the tests below compare the fast path', () => {
    expect(wasmKernel()).toBeDefined();
  });

  it('is built from ascii-kernel.wat: the generated module matches its source', () => {
    // Exits 1, naming the file, if ascii-kernel-wasm.ts is not what the .wat builds to.
    execFileSync(process.execPath, ['tools/wasm/wat-to-ts.mjs', '--check', 'libs/transform/src/ascii-kernel.wat'], {
      cwd: WORKSPACE_ROOT,
      stdio: 'pipe',
    });
  });

  it('uppercases a..z, keeps every other byte, finds the first byte >= 0x80 and counts s and S, as the byte loop does', () => {
    fc.assert(
      fc.property(slabBytes, fc.nat({ max: 20 }), fc.nat(), (bytes, offset, from) => {
        // Inside a larger buffer, at any offset, with bytes around it that must not leak in.
        const src = Buffer.concat([Buffer.alloc(offset, 0xe9), bytes, Buffer.alloc(20, 0xe9)]);
        const n = bytes.length;
        expect(wasm.upper(src, offset, n)).toBe(bytewise.upper(src, offset, n));
        expect(wasm.memory.subarray(0, n).toString('hex')).toBe(bytewise.memory.subarray(0, n).toString('hex'));
        const start = n === 0 ? 0 : from % n;
        expect(wasm.nonAscii(start, n)).toBe(bytewise.nonAscii(start, n));
        expect(wasm.countS(src, offset, n)).toBe(bytewise.countS(src, offset, n));
      }),
      { numRuns: 500 },
    );
  });

  it('maps every byte value as the byte loop does', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
    wasm.upper(all, 0, 256);
    bytewise.upper(all, 0, 256);
    expect(wasm.memory.subarray(0, 256).equals(bytewise.memory.subarray(0, 256))).toBe(true);
    expect(wasm.memory[0x61]).toBe(0x41);
    expect(wasm.memory[0xe1]).toBe(0xe1);
  });

  it('takes a whole slab, and reports a byte >= 0x80 only inside [from, n)', () => {
    const slab = Buffer.alloc(SLAB, 0x61);
    expect(wasm.upper(slab, 0, SLAB)).toBe(SLAB);
    expect(wasm.memory.subarray(0, SLAB).every((b) => b === 0x41)).toBe(true);
    slab[SLAB - 1] = 0xc3;
    expect(wasm.upper(slab, 0, SLAB)).toBe(SLAB - 1);
    expect(wasm.nonAscii(SLAB - 1, SLAB)).toBe(SLAB - 1);
    // Bytes past n are left from earlier loads; they are not the caller's and never reported.
    expect(wasm.upper(slab, 0, SLAB - 1)).toBe(SLAB - 1);
    expect(wasm.nonAscii(SLAB - 5, SLAB - 1)).toBe(SLAB - 1);
    expect(wasm.upper(Buffer.from('ab'), 0, 2)).toBe(2);
  });

  it('counts s and S over a whole slab and in the bytes after its last whole block', () => {
    const slab = Buffer.alloc(SLAB, 0x73);
    expect(wasm.countS(slab, 0, SLAB)).toBe(SLAB);
    expect(wasm.countS(slab, 5, 16 + 15)).toBe(31);
    // What a previous call left in memory past n is never counted.
    expect(wasm.countS(Buffer.from('Ss'), 0, 2)).toBe(2);
    expect(wasm.countS(Buffer.from('xsX'), 1, 1)).toBe(1);
  });
});
