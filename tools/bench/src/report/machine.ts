import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  kernel: string;
  memGiB: number;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    kernel: `Linux ${release()}`,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.nproc} CPUs (${m.cpuModel}), ${m.memGiB} GiB, ${m.kernel}, Node ${m.node}`;
}
