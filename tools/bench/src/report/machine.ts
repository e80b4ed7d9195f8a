import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  /** The python3 the textbook servers run with (the one on PATH, as their commands say). */
  python: string;
  kernel: string;
  memGiB: number;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    python: pythonVersion(),
    kernel: `Linux ${release()}`,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

function pythonVersion(): string {
  try {
    return execFileSync('python3', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().replace(/^Python /, '');
  } catch {
    return 'none';
  }
}

export function describeMachine(m: MachineInfo): string {
  return `${m.nproc} CPUs (${m.cpuModel}), ${m.memGiB} GiB, ${m.kernel}, Node ${m.node}, Python ${m.python}`;
}
