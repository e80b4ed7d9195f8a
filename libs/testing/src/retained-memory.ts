import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full garbage collection, without starting node with --expose-gc: the flag set at run time
 * takes effect for contexts created afterwards, and a fresh context hands its `gc` over.
 */
export function forceGc(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  // Twice: the first pass may only queue finalizers (of external buffers) that the second frees.
  gc();
  gc();
}

/**
 * Bytes still reachable after a full collection: the JS heap plus the memory of ArrayBuffers
 * (Buffers), where a decoder that kept chunks would show. Compare two readings, not one.
 */
export function retainedBytes(): number {
  forceGc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
