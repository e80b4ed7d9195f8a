/**
 * Cuts `bytes` at the given offsets (any order, duplicates and out-of-range values allowed, so
 * empty chunks occur too): how property tests feed one input in every possible chunking.
 */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = cuts.map((cut) => Math.min(cut, bytes.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}
