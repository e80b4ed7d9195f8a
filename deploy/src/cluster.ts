import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type RunningServer } from '@sockets/testing';
import { startNginx, type NginxInstall, type RunningNginx } from './nginx';

export interface ClusterOptions {
  /** Instances of each server behind nginx; 0 leaves that protocol's upstream out of the test. */
  tcpInstances: number;
  udpInstances: number;
  /** Extra flags for every instance. */
  serverArgs?: string[];
  nginxWorkers?: number;
  /** nginx's port; a free one when not given (nginx cannot be told to pick one itself). */
  port?: number;
}

export interface Cluster {
  host: string;
  /** nginx's port, TCP and UDP. */
  port: number;
  tcp: RunningServer[];
  udp: RunningServer[];
  nginx: RunningNginx;
  /** `host:port` of an instance as nginx's access log writes it. */
  upstreamOf(instance: RunningServer): string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Instances of both servers on OS-chosen loopback ports, and nginx on a free port in front of
 * them with the shipped configuration. nginx needs an upstream with at least one server, so a
 * protocol with no instances points at one that refuses (the port of a stopped probe).
 */
export async function startCluster(install: NginxInstall, options: ClusterOptions): Promise<Cluster> {
  const args = ['--host', HOST, '--port', '0', ...(options.serverArgs ?? [])];
  const started = await Promise.allSettled([
    ...Array.from({ length: options.tcpInstances }, () => startServer('tcp-server', args)),
    ...Array.from({ length: options.udpInstances }, () => startServer('udp-server', args)),
  ]);
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const dir = mkdtempSync(join(tmpdir(), 'sockets-nginx-'));
  const stopServers = () => Promise.all(servers.map((s) => s.stop('SIGTERM', 5000)));
  if (failed) {
    await stopServers();
    throw failed.reason;
  }
  const tcp = servers.slice(0, options.tcpInstances);
  const udp = servers.slice(options.tcpInstances);
  const port = options.port ?? (await freePort());
  const nowhere = [{ host: HOST, port: await freePort() }];
  let nginx: RunningNginx;
  try {
    nginx = await startNginx(
      install,
      dir,
      {
        listenHost: HOST,
        port,
        tcp: tcp.length ? tcp.map((s) => ({ host: HOST, port: s.port })) : nowhere,
        udp: udp.length ? udp.map((s) => ({ host: HOST, port: s.port })) : nowhere,
        logDir: dir,
      },
      options.nginxWorkers,
    );
  } catch (error) {
    await stopServers();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: HOST,
    port,
    tcp,
    udp,
    nginx,
    upstreamOf: (instance) => `${HOST}:${instance.port}`,
    async stop() {
      await nginx.stop();
      await stopServers();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
