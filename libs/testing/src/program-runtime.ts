import { spawnSync } from 'node:child_process';
import { PROGRAM_RUNTIME } from './paths';

export interface ProgramRuntime {
  /** As the ready line names it: `node 24.22.3`, `bun 1.4.5`. */
  name: string;
  /** What `--workers` should report as `balancing` on this runtime and platform. */
  balancing: 'reuseport' | 'cluster';
}

let asked: ProgramRuntime | undefined;

/**
 * The runtime the tests run the built programs on (PROGRAM_RUNTIME), asked once. How it
 * balances workers is the README's rule, written out again here so a test can hold the
 * programs to it: sockets of their own (SO_REUSEPORT) on Linux with Node 22.12+ or Bun,
 * Node's cluster elsewhere.
 */
export function programRuntime(): ProgramRuntime {
  if (asked) return asked;
  const script = 'JSON.stringify({ node: process.versions.node, bun: process.versions.bun })';
  const result = spawnSync(PROGRAM_RUNTIME, ['-p', script], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`${PROGRAM_RUNTIME} -p failed: ${result.stderr}`);
  const versions = JSON.parse(result.stdout) as { node: string; bun?: string };
  const [major, minor] = versions.node.split('.').map(Number);
  const nodeReusePort = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  const reusePort = process.platform === 'linux' && (versions.bun !== undefined || nodeReusePort);
  asked = {
    name: versions.bun === undefined ? `node ${versions.node}` : `bun ${versions.bun}`,
    balancing: reusePort ? 'reuseport' : 'cluster',
  };
  return asked;
}
