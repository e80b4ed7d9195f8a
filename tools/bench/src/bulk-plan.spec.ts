import { BULK_PIECE, BulkPlan } from './bulk-plan';
import { asciiUpper, countS } from './payload';

/** The whole request stream, assembled from pieces as the driver sends it. */
function wholeRequest(plan: BulkPlan, piece: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < plan.total; at += piece) parts.push(Buffer.from(plan.request(at, Math.min(piece, plan.total - at))));
  return Buffer.concat(parts);
}

describe('BulkPlan', () => {
  const total = 3 * BULK_PIECE + 12_345;

  it('cuts the stream into the asked number of LF-terminated lines', () => {
    const plan = new BulkPlan(total, 4, 'upper');
    const stream = wholeRequest(plan, BULK_PIECE);
    expect(stream).toHaveLength(total);
    const lfs: number[] = [];
    for (let at = stream.indexOf(0x0a); at !== -1; at = stream.indexOf(0x0a, at + 1)) lfs.push(at);
    expect(lfs).toEqual(plan.lineEnds);
    expect(lfs[lfs.length - 1]).toBe(total - 1);
  });

  it('hands out the same bytes whatever the piece size', () => {
    const plan = new BulkPlan(total, 3, 'upper');
    expect(wholeRequest(plan, 1000).equals(wholeRequest(plan, BULK_PIECE))).toBe(true);
  });

  it('accepts the uppercase of the request, cut anywhere, and rejects one wrong byte', () => {
    const plan = new BulkPlan(total, 4, 'upper');
    const reply = asciiUpper(wholeRequest(plan, BULK_PIECE));
    for (const size of [65_536, 300_001]) {
      for (let at = 0; at < reply.length; at += size) {
        expect(plan.checkReply(at, reply.subarray(at, at + size))).toBe(true);
      }
    }
    // Small odd pieces across a line end.
    const end = plan.lineEnds[1];
    for (let at = end - 70; at < end + 70; at += 7) expect(plan.checkReply(at, reply.subarray(at, at + 7))).toBe(true);
    const bad = Buffer.from(reply.subarray(100_000, 200_000));
    bad[54_321] ^= 0x20;
    expect(plan.checkReply(100_000, bad)).toBe(false);
    // A reply that is the request itself (an echo) is wrong too.
    expect(plan.checkReply(0, wholeRequest(plan, BULK_PIECE).subarray(0, 1000))).toBe(false);
    // And nothing past the end is owed.
    expect(plan.checkReply(total - 1, Buffer.from('\n\n'))).toBe(false);
  });

  it('owes for count-s one count per line, the number of s and S in it', () => {
    const plan = new BulkPlan(total, 4, 'count-s');
    const request = wholeRequest(plan, BULK_PIECE);
    let start = 0;
    const counts = plan.lineEnds.map((end) => {
      const n = countS(request, start, end);
      start = end + 1;
      return `${n}\n`;
    });
    const owed = Buffer.from(counts.join(''));
    expect(plan.replyTotal).toBe(owed.length);
    expect(plan.checkReply(0, owed)).toBe(true);
    expect(counts.every((c) => Number(c) > 0)).toBe(true);
    expect(plan.checkReply(0, Buffer.from(`${Number(counts[0]) + 1}\n`))).toBe(false);
  });

  it('refuses a stream too short for its lines', () => {
    expect(() => new BulkPlan(3, 4, 'upper')).toThrow(/cannot cut/);
  });
});
