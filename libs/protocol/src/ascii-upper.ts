import { WASM_BASE64 } from './ascii-upper-wasm';

/** The most bytes one `load` takes: one WebAssembly page. */
export const SLAB = 0x10000;

/**
 * The ASCII half of `upper`, over a slab of a message at a time: `load` copies the bytes into
 * the kernel's `memory` with a..z uppercased (and every byte >= 0x80 as it was), and says where
 * the first multibyte code point starts, for upper.ts to map; `nonAscii` finds the next one.
 */
export interface AsciiUpperKernel {
  /** Where `load` puts the bytes: a slab's result is `memory[0, n)`. */
  readonly memory: Buffer;
  /** Copies `src[start, start + n)` (n <= SLAB) to `memory[0, n)`, uppercased; returns the first offset of a byte >= 0x80, or n. */
  load(src: Buffer, start: number, n: number): number;
  /** The first offset in `memory[from, n)` of a byte >= 0x80, or n. */
  nonAscii(from: number, n: number): number;
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
}

/**
 * The kernel in WebAssembly, 16 bytes at a time with SIMD (ascii-upper.wat), or undefined
 * where there is no WebAssembly (`node --jitless`).
 */
export function wasmKernel(): AsciiUpperKernel | undefined {
  if (typeof WebAssembly === 'undefined') return undefined;
  // Synchronous compile: the module is a few hundred bytes, and this runs once, at load.
  const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const exports = new WebAssembly.Instance(module).exports as unknown as Exports;
  // Memory never grows (its maximum is its size), so this view is never detached.
  const memory = Buffer.from(exports.memory.buffer);
  return {
    memory,
    load(src, start, n) {
      src.copy(memory, 0, start, start + n);
      return exports.upper(n);
    },
    nonAscii: exports.nonAscii,
  };
}

/** The same kernel a byte at a time: what runs without WebAssembly, and what tests compare it to. */
export function byteKernel(): AsciiUpperKernel {
  const memory = Buffer.allocUnsafe(SLAB);
  const nonAscii = (from: number, n: number): number => {
    let i = from;
    while (i < n && memory[i] < 0x80) i++;
    return i;
  };
  return {
    memory,
    load(src, start, n) {
      for (let k = 0; k < n; k++) {
        const c = src[start + k];
        memory[k] = c - 0x61 < 26 && c >= 0x61 ? c - 0x20 : c;
      }
      return nonAscii(0, n);
    },
    nonAscii,
  };
}
