/**
 * What the JavaScript runtime under a program offers that the servers rely on, decided once at
 * start-up from its versions and the platform, never in the data path. The programs run the
 * same on Node and on Bun; where they differ, it is here, in the ready line, and in the README.
 */
export interface RuntimeSupport {
  /** `node 24.22.3`, `bun 1.4.5`: what the ready line and refusals name. */
  name: string;
  /**
   * Several processes can each bind the one port (SO_REUSEPORT), and the kernel spreads
   * connections and datagrams over them: Linux, with Node 22.12+ or Bun.
   */
  reusePort: boolean;
  /**
   * node:cluster can share one listening socket among workers. Bun's cluster cannot pass
   * sockets between processes, so there workers need `reusePort`.
   */
  clusterSharesSockets: boolean;
}

export function runtimeSupport(versions: { node: string; bun?: string }, platform: string): RuntimeSupport {
  const { bun } = versions;
  const [major, minor] = versions.node.split('.').map(Number);
  const nodeReusePort = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return {
    name: bun === undefined ? `node ${versions.node}` : `bun ${bun}`,
    reusePort: platform === 'linux' && (bun !== undefined || nodeReusePort),
    clusterSharesSockets: bun === undefined,
  };
}

/** The runtime this process runs on. */
export const RUNTIME: RuntimeSupport = runtimeSupport(process.versions as { node: string; bun?: string }, process.platform);

/** Why `--workers` above 1 cannot work on `runtime`, or undefined when it can. */
export function workersUnsupported(runtime: RuntimeSupport = RUNTIME): string | undefined {
  if (runtime.reusePort || runtime.clusterSharesSockets) return undefined;
  return `${runtime.name} shares a port between processes only with SO_REUSEPORT, which it offers on Linux alone`;
}
