import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  /** The node the bench itself runs on. */
  node: string;
  /** What ours and the bare floors run on: each --runtime and what `--version` says of it. */
  runtimes: Array<{ label: string; version: string }>;
  /** The python3 the textbook servers run with (the one on PATH, as their commands say). */
  python: string;
  kernel: string;
  memGiB: number;
}

export function machineInfo(runtimes: ReadonlyArray<{ label: string; command: string }> = []): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    runtimes: runtimes.map(({ label, command }) => ({ label, version: versionOf(command) })),
    python: pythonVersion(),
    kernel: `Linux ${release()}`,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** `--version` of a runtime as bash would start it (its command may be a quoted path). */
function versionOf(command: string): string {
  try {
    return execFileSync('bash', ['-c', `${command} --version`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}

function pythonVersion(): string {
  try {
    return execFileSync('python3', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().replace(/^Python /, '');
  } catch {
    return 'none';
  }
}

export function describeMachine(m: MachineInfo): string {
  const runtimes = m.runtimes.length > 0 ? m.runtimes.map((r) => `${r.label} ${r.version}`).join(', ') : `node ${m.node}`;
  return `${m.nproc} CPUs (${m.cpuModel}), ${m.memGiB} GiB, ${m.kernel}, ${runtimes}, Python ${m.python}`;
}
