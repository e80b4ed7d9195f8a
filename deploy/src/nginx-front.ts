/**
 * N instances of one server behind nginx on one port, in the foreground, as one command: what
 * tools/bench takes as a "server" (`--server NAME=COMMAND` with `{port}`). SIGTERM or SIGINT
 * stops nginx, then the instances.
 *
 *   node --require @swc-node/register deploy/src/nginx-front.ts --protocol tcp --instances 3 --port 12000 [--transform upper] [--nginx-workers 1] [--report FILE]
 *
 * --report appends, at stop, one JSON line with the CPU time and peak RSS of nginx, of the
 * instances and of this launcher, so a benchmark can say which part the proxy takes.
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from './cluster';
import { findNginx } from './nginx';
import { peakRssKbOrZero, processTree, treeCpuSeconds } from '@sockets/testing';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      protocol: { type: 'string' },
      instances: { type: 'string', default: '3' },
      port: { type: 'string' },
      transform: { type: 'string', default: 'upper' },
      'nginx-workers': { type: 'string', default: '1' },
      report: { type: 'string' },
    },
  });
  const instances = Number(values.instances);
  const protocol = values.protocol;
  if ((protocol !== 'tcp' && protocol !== 'udp') || !Number.isInteger(instances) || instances < 1 || !values.port) {
    process.stderr.write('nginx-front: needs --protocol tcp|udp, --instances N (1 or more), --port N\n');
    process.exit(2);
  }
  const install = findNginx();
  if ('missing' in install) {
    process.stderr.write(`nginx-front: ${install.missing}\n`);
    process.exit(1);
  }
  const cluster = await startCluster(install, {
    tcpInstances: protocol === 'tcp' ? instances : 0,
    udpInstances: protocol === 'udp' ? instances : 0,
    // info, not less: the instances are ready once they log `server ready`, an info line.
    serverArgs: ['--transform', values.transform as string, '--log-level', 'info'],
    nginxWorkers: Number(values['nginx-workers']),
    port: Number(values.port),
  });
  process.stdout.write(`nginx-front: ${install.version} on ${cluster.host}:${cluster.port} in front of ${instances} ${protocol}-server instance(s)\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (values.report) appendFileSync(values.report, `${JSON.stringify({ protocol, instances, ...usage(cluster) })}\n`);
    void cluster.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function usage(cluster: Cluster) {
  const nginx = processTree(cluster.nginx.pid);
  const instances = [...cluster.tcp, ...cluster.udp].map((s) => s.pid);
  const rss = (pids: number[]) => pids.reduce((total, pid) => total + peakRssKbOrZero(pid), 0);
  const own = process.cpuUsage();
  return {
    nginxCpuS: treeCpuSeconds(nginx),
    instancesCpuS: treeCpuSeconds(instances),
    launcherCpuS: (own.user + own.system) / 1e6,
    nginxRssKb: rss(nginx),
    instancesRssKb: rss(instances),
    launcherRssKb: peakRssKbOrZero(process.pid),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`nginx-front: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
