import { execFileSync } from 'node:child_process';
import { KEEP_YOUNG_GENERATION_SMALL } from './young-generation';

/**
 * A child node allocates objects that survive scavenges (as live connections do) and prints
 * its new-space size. The flag is set at run time, the way `keepYoungGenerationSmall` does,
 * so this fails if a node upgrade renames the flag or stops reading it after start-up.
 */
function newSpaceBytes(flag: string | undefined): number {
  const script = `
    const v8 = require('node:v8');
    if (process.env.V8_FLAG) v8.setFlagsFromString(process.env.V8_FLAG);
    const live = new Array(20000);
    for (let i = 0; i < 200000; i++) live[i % live.length] = { i, s: 'x' + i };
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(space.space_size));
  `;
  const env = { ...process.env, V8_FLAG: flag ?? '' };
  return Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 30_000 }));
}

describe('keepYoungGenerationSmall', () => {
  it('stops new space from growing under surviving allocations', () => {
    const grown = newSpaceBytes(undefined);
    const kept = newSpaceBytes(KEEP_YOUNG_GENERATION_SMALL);
    // The control shows the workload does grow new space, so the second figure means something.
    expect(grown).toBeGreaterThanOrEqual(8 * 2 ** 20);
    expect(kept).toBeLessThanOrEqual(4 * 2 ** 20);
  });
});
