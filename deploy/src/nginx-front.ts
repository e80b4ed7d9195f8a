/**
 * N instances of one server behind nginx on one port, in the foreground, as one command: what
 * tools/bench takes as a "server" (`--server NAME=COMMAND` with `{port}`). SIGTERM or SIGINT
 * stops nginx, then the instances.
 *
 *   node --require @swc-node/register deploy/src/nginx-front.ts --protocol tcp --instances 3 --port 12000 [--transform upper] [--nginx-workers 1] [--report FILE]
 *
 * `--help` lists the flags. --report lets a benchmark say which part of the server side's CPU
 * and memory the proxy takes.
 */
import { appendFileSync } from 'node:fs';
import { choiceFlag, integerFlag, runCli, textFlag } from '@sockets/cli';
import { onStop, SocketsError } from '@sockets/runtime';
import { startCluster, type Cluster } from './cluster';
import { findNginx } from './nginx';
import { peakRssKbOrZero, processTree, treeCpuSeconds } from '@sockets/testing';

const program = {
  name: 'nginx-front',
  usage: '[flags]',
  summary: 'N instances of one server behind nginx on one port, in the foreground; SIGTERM or SIGINT stops them.',
};

const flags = {
  protocol: choiceFlag<'tcp' | 'udp'>({ description: 'which server the instances run', choices: ['tcp', 'udp'], default: 'tcp' }),
  port: integerFlag({ description: "nginx's port", default: 12000, min: 1, max: 65_535 }),
  instances: integerFlag({ description: 'instances behind nginx', default: 3, min: 1, max: 64 }),
  transform: choiceFlag({ description: "the instances' --transform", choices: ['upper', 'count-s'], default: 'upper' }),
  'nginx-workers': integerFlag({ description: 'nginx worker processes', default: 1, min: 1, max: 64 }),
  report: textFlag({ valueName: 'FILE', description: 'appends, at stop, one JSON line of the CPU time and peak RSS of nginx, the instances and this launcher', defaultText: 'none' }),
};

runCli(program, flags, async (values) => {
  const { protocol, port, instances, transform, report } = values;
  const install = findNginx();
  if ('missing' in install) throw new SocketsError(`nginx-front: ${install.missing}`);
  const cluster = await startCluster(install, {
    tcpInstances: protocol === 'tcp' ? instances : 0,
    udpInstances: protocol === 'udp' ? instances : 0,
    // info, not less: the instances are ready once they log `server ready`, an info line.
    serverArgs: ['--transform', transform, '--log-level', 'info'],
    nginxWorkers: values['nginx-workers'],
    port,
  }).catch((error: unknown) => {
    throw new SocketsError(`nginx-front: ${(error as Error).message}`, { cause: error });
  });
  process.stdout.write(`nginx-front: ${install.version} on ${cluster.host}:${cluster.port} in front of ${instances} ${protocol}-server instance(s)\n`);
  // The programs' own stop: the first SIGTERM or SIGINT stops nginx and the instances, then
  // exits 0; a second exits at once. The instances may each take their 5 s to drain.
  onStop(
    async () => {
      if (report) appendFileSync(report, `${JSON.stringify({ protocol, instances, ...usage(cluster) })}\n`);
      await cluster.stop();
    },
    { graceMs: 15_000 },
  );
});

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

