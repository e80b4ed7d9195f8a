import { WASM_BASE64 } from './ascii-kernel-wasm';

/** The most bytes one call takes: one WebAssembly page. */
export const SLAB = 0x10000;

/**
 * The byte loops of `upper` and `count-s`, over up to a slab of a message at a time.
 * `upper` copies the bytes into the kernel's `memory` with a..z uppercased (and every byte
 * >= 0x80 as it was), and says where the first multibyte code point starts, for upper.ts to map;
 * `nonAscii` finds the next one.
 */
export interface AsciiKernel {
  /** Where `upper` puts the bytes: a slab's result is `memory[0, n)`. */
  readonly memory: Buffer;
  /** Copies `src[start, start + n)` (n <= SLAB) to `memory[0, n)`, uppercased; returns the first offset of a byte >= 0x80, or n. */
  upper(src: Buffer, start: number, n: number): number;
  /** The first offset in `memory[from, n)` of a byte >= 0x80, or n. */
  nonAscii(from: number, n: number): number;
  /** How many bytes of `src[start, start + n)` (n <= SLAB) are 's' or 'S'. */
  countS(src: Buffer, start: number, n: number): number;
}

/** What this file uses of WebAssembly's JavaScript API: TypeScript declares it only in "dom". */
declare const WebAssembly:
  | {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: object };
    }
  | undefined;

interface Exports {
  memory: { buffer: ArrayBuffer };
  upper(n: number): number;
  nonAscii(from: number, n: number): number;
  countS(n: number): number;
}

const LOWER_S = 0x73;

/** 1 for 's' or 'S', else 0: `| 0x20` maps exactly those two bytes to 's'. */
export function isS(c: number): number {
  return (c | 0x20) === LOWER_S ? 1 : 0;
}

/** The byte uppercased if it is a..z, else as it is: what `upper` does to an ASCII byte. */
export function upperAscii(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
}

/**
 * The kernel in WebAssembly, 16 bytes at a time with SIMD (ascii-kernel.wat), or undefined
 * where there is no WebAssembly (`node --jitless`).
 */
export function wasmKernel(): AsciiKernel | undefined {
  if (typeof WebAssembly === 'undefined') return undefined;
  // Synchronous compile: the module is a few hundred bytes, and this runs once, at load.
  const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const exports = new WebAssembly.Instance(module).exports as Exports;
  // Memory never grows (its maximum is its size), so this view is never detached.
  const memory = Buffer.from(exports.memory.buffer);
  return {
    memory,
    upper(src, start, n) {
      src.copy(memory, 0, start, start + n);
      return exports.upper(n);
    },
    nonAscii: exports.nonAscii,
    countS(src, start, n) {
      src.copy(memory, 0, start, start + n);
      // The kernel counts whole blocks of 16; the rest is counted here.
      let count = exports.countS(n);
      for (let k = n & ~15; k < n; k++) count += isS(memory[k]);
      return count;
    },
  };
}

/** The same kernel a byte at a time: what runs without WebAssembly, and what tests compare it to. */
export function byteKernel(): AsciiKernel {
  const memory = Buffer.allocUnsafe(SLAB);
  const nonAscii = (from: number, n: number): number => {
    let i = from;
    while (i < n && memory[i] < 0x80) i++;
    return i;
  };
  return {
    memory,
    upper(src, start, n) {
      for (let k = 0; k < n; k++) memory[k] = upperAscii(src[start + k]);
      return nonAscii(0, n);
    },
    nonAscii,
    countS(src, start, n) {
      let count = 0;
      for (let k = start; k < start + n; k++) count += isS(src[k]);
      return count;
    },
  };
}

/** One kernel for every transducer of the process: each call is done before the next starts. */
export const ASCII_KERNEL = wasmKernel() ?? byteKernel();
