import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { EXIT } from '@sockets/cli';
import { clientChannels, type TcpConnectMessage } from '@sockets/runtime';
import { delay, type ModelTransform } from '@sockets/testing';
import { emptyCounters, type Counters } from './counters';
import type { SoakOptions } from './options';
import { buildPools } from './payloads';
import { header, mib, num, row, type ServerReading } from './report';
import { Rng } from './rng';
import { openFds, peakRssMiB, rssMiB, startSoakServer, type ServerSpec, type SoakServer } from './servers';
import { REPLY_TIMEOUT_MS, idleActor, pipelinedActor, resetActor, slowWriterActor, type TcpLoadContext } from './tcp-load';
import { udpActor, type UdpLoadContext } from './udp-load';

/** After the duration, how long actors may take to collect what they are owed before their sockets are cut. */
const WIND_DOWN_MS = REPLY_TIMEOUT_MS + 10_000;
/** How long the servers may take to close the connections the load left behind. */
const FD_SETTLE_MS = 10_000;

interface ServerFigures {
  server: SoakServer;
  baselineFds: number | undefined;
  maxRssMiB: number;
}

const write = (text: string) => process.stdout.write(`${text}\n`);

export async function runSoak(options: SoakOptions, workspaceRoot: string): Promise<number> {
  const rng = new Rng(options.seed);
  const flushMs = options['flush-ms'];
  const serverArgs = ['--flush-ms', String(flushMs), '--idle-timeout-ms', String(options['idle-timeout-ms']), '--log-level', 'info'];
  const specs: ServerSpec[] = (['tcp', 'udp'] as const).flatMap((protocol) =>
    (['upper', 'count-s'] as const).map((transform) => ({
      name: `${protocol}-${transform}`,
      protocol,
      transform,
      args: protocol === 'tcp' ? serverArgs : ['--log-level', 'info'],
    })),
  );

  const started = await Promise.allSettled(specs.map((spec) => startSoakServer(workspaceRoot, spec)));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failedToStart = started.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
  const stopServers = () => Promise.all(servers.map((server) => server.stop()));
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`soak: ${signal}, stopping the servers\n`);
    void stopServers().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Should the tool itself die (a bug, a closed stdout), its servers must not outlive it.
  const killServers = () => {
    for (const server of servers) {
      try {
        if (!server.exit) process.kill(server.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  process.once('exit', killServers);
  if (failedToStart.length > 0) {
    await stopServers();
    for (const message of failedToStart) process.stderr.write(`soak: ${message}\n`);
    return EXIT.FAILURE;
  }

  const pools = buildPools(rng.fork(), flushMs);
  const figures: ServerFigures[] = servers.map((server) => ({ server, baselineFds: openFds(server.pid), maxRssMiB: rssMiB(server.pid) ?? 0 }));
  const byName = (protocol: 'tcp' | 'udp') =>
    Object.fromEntries(servers.filter((s) => s.protocol === protocol).map((s) => [s.transform, s.port])) as Record<ModelTransform, number>;

  const counters: Counters = emptyCounters();
  const startedAt = performance.now();
  const deadline = startedAt + options['duration-s'] * 1000;
  const running = () => performance.now() < deadline && servers.every((server) => !server.exit);
  // Every TCP connection of the run from its first moment, connecting or not, so a run that
  // overstays can cut them all: connectTcp publishes each socket as it starts.
  const sockets = new Set<Socket>();
  const track = (message: unknown): void => {
    const { socket } = message as TcpConnectMessage;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  subscribe(clientChannels.tcpConnect.name, track);
  const tcp: TcpLoadContext = { ports: byName('tcp'), pools, counters, flushMs, running, sockets };
  const udp: UdpLoadContext = { ports: byName('udp'), pools, counters, timeoutMs: options['udp-timeout-ms'], running };

  write(
    `soak: ${options['duration-s']} s, seed ${options.seed}; tcp: ${options['tcp-connections']} pipelined, ${options['slow-writers']} slow writers, ` +
      `${options['idle-connections']} idle, ${options['resets-per-s']} resets/s, --flush-ms ${flushMs}, --idle-timeout-ms ${options['idle-timeout-ms']}; ` +
      `udp: ${options['udp-clients']} clients, timeout ${options['udp-timeout-ms']} ms`,
  );
  write(`servers: ${servers.map((s) => `${s.name} pid ${s.pid} port ${s.port}`).join(', ')}`);
  write(header(servers.map((s) => s.name)));

  const read = (): ServerReading[] =>
    figures.map((f) => {
      const rss = rssMiB(f.server.pid);
      if (rss !== undefined && rss > f.maxRssMiB) f.maxRssMiB = rss;
      return { name: f.server.name, rssMiB: rss, fds: openFds(f.server.pid) };
    });
  const elapsedS = () => (performance.now() - startedAt) / 1000;
  write(row(0, read(), counters));
  const reporter = setInterval(() => write(row(elapsedS(), read(), counters)), options['report-every-s'] * 1000);

  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const stopTimer = setInterval(() => {
    if (!running()) stop();
  }, 100);
  const actors: Array<Promise<void>> = [];
  for (let i = 0; i < options['tcp-connections']; i++) actors.push(pipelinedActor(tcp, i, rng.fork()));
  for (let i = 0; i < options['slow-writers']; i++) actors.push(slowWriterActor(tcp, i, rng.fork()));
  for (let i = 0; i < options['idle-connections']; i++) actors.push(idleActor(tcp, i, stopped));
  if (options['resets-per-s'] > 0) actors.push(resetActor(tcp, options['resets-per-s'], rng.fork()));
  for (let i = 0; i < options['udp-clients']; i++) actors.push(udpActor(udp, i, rng.fork()));

  await stopped;
  clearInterval(stopTimer);
  const loadSeconds = elapsedS();
  // Whatever is still owed gets its chance to arrive; past that, cut.
  let windDownTimer: NodeJS.Timeout | undefined;
  const windDown = await Promise.race([
    Promise.all(actors).then(() => true),
    new Promise<boolean>((resolve) => (windDownTimer = setTimeout(() => resolve(false), WIND_DOWN_MS))),
  ]);
  clearTimeout(windDownTimer);
  if (!windDown) {
    counters.tcp.errors++;
    counters.problems.push(`load did not wind down within ${WIND_DOWN_MS} ms; ${sockets.size} sockets cut`);
    for (const socket of sockets) socket.destroy();
  }
  unsubscribe(clientChannels.tcpConnect.name, track);
  clearInterval(reporter);

  // Every connection of the load is closed now: the servers' descriptors should be back where they started.
  const settleUntil = performance.now() + FD_SETTLE_MS;
  const backToBaseline = () => figures.every((f) => f.baselineFds === undefined || (openFds(f.server.pid) ?? Infinity) <= f.baselineFds);
  while (!backToBaseline() && performance.now() < settleUntil) await delay(100);
  write(row(elapsedS(), read(), counters));

  const peaks = figures.map((f) => ({ ...f, peakMiB: peakRssMiB(f.server.pid), endFds: openFds(f.server.pid), endRssMiB: rssMiB(f.server.pid) }));
  const diedEarly = servers.filter((s) => s.exit);
  const exits = await Promise.all(servers.map(async (server) => ({ server, exit: server.exit ? { ...server.exit, early: true } : { ...(await server.stop()), early: false } })));
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('exit', killServers);

  const { tcp: t, udp: u } = counters;
  const leaks = peaks.filter((p) => p.baselineFds !== undefined && (p.endFds === undefined || p.endFds > p.baselineFds));
  const badExits = exits.filter(({ exit }) => exit.early || exit.code !== 0);
  write('');
  write(`summary after ${loadSeconds.toFixed(0)} s of load:`);
  for (const p of peaks) {
    const exit = exits.find((e) => e.server === p.server)?.exit;
    write(
      `  ${p.server.name.padEnd(12)} peak RSS ${mib(p.peakMiB)} MiB (highest sampled ${mib(p.maxRssMiB)}, at the end ${mib(p.endRssMiB)}); ` +
        `fds ${num(p.baselineFds)} at start, ${num(p.endFds)} at the end: ${leaks.includes(p) ? 'NOT back to baseline' : 'back to baseline'}; ` +
        `${p.server.warnings.length} warnings logged; exit ${exit?.code ?? exit?.signal}${exit?.early ? ' (during the load)' : ''}`,
    );
  }
  write(`  tcp: ${t.sent} messages sent, ${t.answered} answered, ${t.mismatches} mismatches, ${t.errors} errors, ${t.lost} lost, ${t.skipped} not judged (timing)`);
  write(`       ${counters.connects} connections opened, ${counters.gracefulCloses} closed by half-close, ${counters.resets} reset, ${counters.idleCloses} closed idle by the server, ${counters.flushes} idle flushes awaited`);
  write(`  udp: ${u.sent} datagrams sent, ${u.answered} answered, ${u.mismatches} mismatches, ${u.errors} errors, ${u.lost} lost`);
  for (const problem of counters.problems) write(`  problem: ${problem}`);
  for (const p of peaks) for (const warning of p.server.warnings.slice(0, 5)) write(`  ${p.server.name} warned: ${warning}`);

  const failures = [
    t.mismatches + u.mismatches > 0 ? 'replies differ from the model' : '',
    t.errors + u.errors > 0 ? 'errors' : '',
    leaks.length > 0 ? `fds not back to baseline (${leaks.map((p) => p.server.name).join(', ')})` : '',
    diedEarly.length > 0 ? `servers exited during the load (${diedEarly.map((s) => s.name).join(', ')})` : '',
    badExits.length > 0 ? `servers did not stop cleanly (${badExits.map((e) => e.server.name).join(', ')})` : '',
  ].filter(Boolean);
  write(failures.length === 0 ? 'result: PASS' : `result: FAIL: ${failures.join('; ')}`);
  return failures.length === 0 ? EXIT.OK : EXIT.FAILURE;
}
