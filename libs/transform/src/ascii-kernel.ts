import { WASM_BASE64 } from './ascii-kernel-wasm';

/** The most bytes one call takes: one WebAssembly page. */
export const SLAB = 0x10000;

/**
 * The byte loops of `upper` and `count-s` in WebAssembly, sixteen bytes at a time
 * (ascii-kernel.wat), over up to a slab of a message at a time. `upper` copies the bytes into
 * the kernel's `memory` with a..z uppercased (and every byte >= 0x80 as it was), and says where
 * the first multibyte code point starts, for upper.ts to map; `nonAscii` finds the next one.
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

/** The kernel, or null where there is no WebAssembly (`node --jitless`). */
export function wasmKernel(): AsciiKernel | null {
  if (typeof WebAssembly === 'undefined') return null;
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
      return exports.countS(n);
    },
  };
}

/**
 * One kernel for every transducer of the process: each call is done before the next starts.
 * Without one, the transducers do every fragment in JavaScript, as they do short ones anyway.
 */
export const ASCII_KERNEL = wasmKernel();
