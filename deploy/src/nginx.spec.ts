import { setTimeout as sleep } from 'node:timers/promises';
import { runProgram, waitUntil, type RunningServer } from '@sockets/testing';
import { startCluster, type Cluster } from './cluster';
import { runPaced, tcpLoad, upper, type ConnectionRecord } from './load';
import { findNginx, type NginxInstall, type NginxSession } from './nginx';

/**
 * Waits, bounded, until `check` holds: for the instances' logs to catch up, or for clients that
 * a loaded machine is slow to start. It never fails itself; the expect after it reports any gap.
 */
const settle = (check: () => boolean, what: string, timeoutMs = 5000) => waitUntil(check, what, timeoutMs, 50).catch(() => false);

/*
 * Real nginx, with deploy/nginx/sockets.conf as shipped (only the instance list, the listen
 * port and the log directory rewritten), in front of three tcp-servers and three udp-servers on
 * loopback. CI installs nginx (.ci/run); elsewhere these tests skip, and say so.
 */
const found = findNginx();
if ('missing' in found) console.warn(`deploy: the nginx end-to-end tests are SKIPPED: ${found.missing}`);
const describeWithNginx = 'missing' in found ? describe.skip : describe;

// .ci/run installs nginx, so in CI a skip would only hide a broken install step.
if ('missing' in found && process.env.CI) {
  it('finds nginx with its stream module in CI', () => {
    throw new Error(`CI is set but ${found.missing}`);
  });
}
const install = found as NginxInstall;

const DEBUG = ['--log-level', 'debug'];
const now = (): number => performance.now();
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Messages a tcp-server instance answered, from its one `connection closed` line per connection. */
const tcpMessages = (s: RunningServer): number => sum(s.logs.filter((l) => l.msg === 'connection closed').map((l) => l.messages as number));
const tcpConnections = (s: RunningServer) => s.logs.filter((l) => l.msg === 'connection closed');
const udpAnswered = (s: RunningServer): number => s.logs.filter((l) => l.msg === 'datagram answered').length;
const lines = (tag: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${tag} line ${i} through nginx`);
const target = (cluster: Cluster): string[] => ['--host', cluster.host, '--port', String(cluster.port)];
const replies = (records: ConnectionRecord[]): number => sum(records.map((r) => r.answered + r.partial));
const wrongs = (records: ConnectionRecord[]): string[] => records.flatMap((r) => r.wrong);
/** A connection that ended with a request unanswered (one opened as the load ended may carry none). */
const unanswered = (r: ConnectionRecord): boolean => r.sent > r.answered + r.partial;
const tcpSessionsBy = (sessions: NginxSession[]) => new Map(sessions.filter((s) => s.protocol === 'TCP').map((s) => [s.clientPort, s]));
const servedBy = (session: NginxSession | undefined): string | undefined => session?.upstreams.at(-1);
/**
 * Lines enough for a paced client to outlast any event placed in its run, one every PACE_MS:
 * the test ends the load AFTER_EVENT_MS after the event, for the survivors to show they carry
 * it, so a loaded machine cannot reach the end of the lines first.
 */
const PACE_MS = 20;
const PLENTY = 1000;
const AFTER_EVENT_MS = 1000;
const pacedUntil = (end: AbortController) => ({ intervalMs: PACE_MS, signal: end.signal });

/**
 * A udp-client's output, line by line against what it sent. `empty` counts empty replies to
 * non-empty messages: nginx sends the client an empty datagram when the instance's host
 * answers with ICMP port unreachable (docs/DEPLOY.md, gotchas), and udp-client prints it.
 */
function udpOutcome(run: { code: number | null; stdout: string[]; stderr: string; fed: number }, sent: string[]) {
  const wrong = run.stdout.filter((line, i) => line !== '' && line !== upper(sent[i]));
  return {
    code: run.code,
    fed: run.fed,
    answered: run.stdout.length,
    wrong,
    empty: run.stdout.filter((line) => line === '').length,
    retransmitted: run.stderr.split('\n').filter((l) => l.includes('"attempt lost"')).length,
  };
}

/** The stray output of a failed check is more useful with nginx's own account next to it. */
async function withCluster(cluster: Cluster, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(`nginx error log:\n${cluster.nginx.errorLog().split('\n').slice(-30).join('\n')}`);
    throw error;
  } finally {
    await cluster.stop();
  }
}

describeWithNginx('nginx stream in front of three instances of each server', () => {
  it('spreads TCP connections and UDP datagrams over every instance, and every reply is right', async () => {
    const cluster = await startCluster(install, { tcpInstances: 3, udpInstances: 3, serverArgs: DEBUG });
    await withCluster(cluster, async () => {
      const piped = lines('piped', 20);
      const datagrams = lines('udp', 30);
      const [words, pipedRun, udpRun, raw] = await Promise.all([
        // Words: the client half-closes after its line and waits, so this needs proxy_half_close.
        runProgram('tcp-client', [...target(cluster), 'hello', 'through', 'nginx']),
        runProgram('tcp-client', target(cluster), { input: piped.join('\n') + '\n' }),
        runProgram('udp-client', target(cluster), { input: datagrams.join('\n') + '\n' }),
        tcpLoad({ host: cluster.host, port: cluster.port, concurrency: 3, until: now() + 10_000, maxMessages: 10, perConnection: 1, tag: 'spread' }),
      ]);

      expect({ code: words.code, out: words.stdout.toString(), err: words.stderr }).toEqual({ code: 0, out: 'HELLO THROUGH NGINX\n', err: '' });
      expect({ code: pipedRun.code, out: pipedRun.stdout.toString() }).toEqual({ code: 0, out: piped.map(upper).join('\n') + '\n' });
      expect({ code: udpRun.code, out: udpRun.stdout.toString() }).toEqual({ code: 0, out: datagrams.map(upper).join('\n') + '\n' });
      expect(wrongs(raw)).toEqual([]);
      expect(replies(raw)).toBe(30);

      // Every message reached one instance and only one: the instances' own counts add up.
      const tcpSent = 1 + piped.length + 30;
      await settle(() => sum(cluster.tcp.map(tcpMessages)) === tcpSent, 'the instances to count every TCP message');
      const perTcp = cluster.tcp.map(tcpMessages);
      const perUdp = cluster.udp.map(udpAnswered);
      console.log(`spread: TCP messages per instance ${perTcp.join('/')}, UDP datagrams per instance ${perUdp.join('/')}`);
      expect(sum(perTcp)).toBe(tcpSent);
      for (const n of perTcp) expect(n).toBeGreaterThan(0);
      // At least: a datagram lost on a busy machine is sent again and answered twice.
      expect(sum(perUdp)).toBeGreaterThanOrEqual(datagrams.length);
      for (const n of perUdp) expect(n).toBeGreaterThan(0);
      expect(cluster.nginx.sessions().filter((s) => s.protocol === 'TCP' && s.status !== 200)).toEqual([]);
    });
  });

  it('SIGKILL of one instance mid-run: only what was in flight on it fails, with a clear error; the rest is answered by the survivors', async () => {
    const cluster = await startCluster(install, { tcpInstances: 3, udpInstances: 3, serverArgs: DEBUG });
    await withCluster(cluster, async () => {
      const [victimTcp, victimUdp] = [cluster.tcp[1], cluster.udp[1]];
      const victim = cluster.upstreamOf(victimTcp);
      const endLoad = new AbortController();
      // Long-lived tcp-clients, one after the other so the rotation gives each its own instance;
      // udp-clients beside them, each datagram balanced on its own.
      const pacedTcp = [];
      for (let i = 0; i < 3; i++) {
        const run = runPaced('tcp-client', target(cluster), lines(`tcp${i}`, PLENTY), pacedUntil(endLoad));
        await run.firstLine;
        pacedTcp.push(run);
      }
      const pacedUdp = [0, 1, 2].map((i) => runPaced('udp-client', [...target(cluster), ...DEBUG], lines(`udp${i}`, PLENTY), pacedUntil(endLoad)));
      const loadStart = now();
      const raw = tcpLoad({ host: cluster.host, port: cluster.port, concurrency: 3, until: loadStart + 20_000, signal: endLoad.signal, maxMessages: 1500, perConnection: 1, tag: 'kill' });

      await sleep(800);
      await settle(() => udpAnswered(victimUdp) > 0, 'the UDP victim to serve some of the load', 10_000);
      const killStart = now();
      victimTcp.process.kill('SIGKILL');
      victimUdp.process.kill('SIGKILL');
      // Once the exits are seen, the kernel has closed the victims' sockets.
      await Promise.all([victimTcp.stop(), victimUdp.stop()]);
      const killedAt = now();
      const udpBeforeKill = udpAnswered(victimUdp);
      await sleep(AFTER_EVENT_MS);
      endLoad.abort();

      const [records, tcpRuns, udpRuns] = await Promise.all([raw, Promise.all(pacedTcp.map((r) => r.done)), Promise.all(pacedUdp.map((r) => r.done))]);
      const sessions = cluster.nginx.sessions();

      // Nothing wrong reached any client.
      expect(wrongs(records)).toEqual([]);
      tcpRuns.forEach((run, i) => expect(run.stdout).toEqual(lines(`tcp${i}`, run.fed).map(upper).slice(0, run.stdout.length)));

      // Connection per message: a failure only where nginx had passed the connection to the
      // victim before it died; every connection opened after that was answered.
      const byPort = tcpSessionsBy(sessions);
      const failed = records.filter(unanswered);
      for (const r of failed) {
        expect({ servedBy: servedBy(byPort.get(r.localPort)), openedBeforeKill: r.openedAt < killedAt }).toEqual({ servedBy: victim, openedBeforeKill: true });
      }
      const after = records.filter((r) => r.openedAt > killedAt);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter(unanswered)).toEqual([]);
      // nginx moved them: some were refused by the victim and passed on to a survivor.
      const movedOn = sessions.filter((s) => s.protocol === 'TCP' && s.upstreams.length > 1 && s.upstreams[0] === victim && s.status === 200);

      // tcp-clients: the one whose connection was on the victim fails with one clear line;
      // the others got every reply.
      const longSessions = [...byPort.values()].filter((s) => s.fromClient > 500);
      expect(new Set(longSessions.map(servedBy)).size).toBe(3);
      const failedClients = tcpRuns.filter((run) => run.code !== 0);
      expect(failedClients.length).toBe(longSessions.filter((s) => servedBy(s) === victim).length);
      for (const run of failedClients) {
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(new RegExp(`^[^\\n]*connection (closed|reset) by 127\\.0\\.0\\.1:${cluster.port} after \\d+ of \\d+ replies[^\\n]*\\n$`));
      }
      for (const run of tcpRuns.filter((r) => r.code === 0)) expect(run.stdout.length).toBe(run.fed);

      // udp-clients: every datagram answered, none with nothing. What went to the dead instance
      // was lost, or refused by its host, which nginx passes on as an empty datagram that
      // udp-client does not take for an answer; either way the retransmission, a session of
      // its own, was answered by a survivor.
      const udp = udpRuns.map((run, i) => udpOutcome(run, lines(`udp${i}`, run.fed)));
      for (const u of udp) expect({ code: u.code, answered: u.answered, wrong: u.wrong, empty: u.empty }).toEqual({ code: 0, answered: u.fed, wrong: [], empty: 0 });
      const [retransmissions, empties] = [sum(udp.map((u) => u.retransmitted)), sum(udp.map((u) => u.empty))];
      expect(retransmissions).toBeGreaterThan(0);
      expect(udpBeforeKill).toBeGreaterThan(0);
      for (const s of cluster.udp.filter((s) => s !== victimUdp)) expect(udpAnswered(s)).toBeGreaterThan(0);

      console.log(
        [
          `SIGKILL (${Math.round(killStart - loadStart)} ms into the load):`,
          `TCP connection per message: ${records.length} connections, ${failed.length} failed (all in flight on the killed instance: ${failed.map((r) => r.end).join(', ') || 'none'}),`,
          `${after.length} opened after the kill all answered, ${movedOn.length} moved on by nginx from the killed instance;`,
          `tcp-client: ${failedClients.length} of 3 failed (${failedClients.map((r) => r.stderr.trim()).join('; ')});`,
          `udp-client: 3 of 3 got all ${sum(udp.map((u) => u.fed))} replies, ${retransmissions} attempts lost and answered on retransmission, ${empties} empty (nginx's rendering of ICMP port unreachable).`,
        ].join(' '),
      );
    });
  });

  it('a UDP instance that goes silent (SIGSTOP, as a host that is down): udp-client retransmits and a survivor answers', async () => {
    const cluster = await startCluster(install, { tcpInstances: 0, udpInstances: 3, serverArgs: DEBUG });
    await withCluster(cluster, async () => {
      const silent = cluster.udp[2];
      const endLoad = new AbortController();
      const paced = [0, 1, 2].map((i) => runPaced('udp-client', [...target(cluster), ...DEBUG], lines(`silent${i}`, PLENTY), pacedUntil(endLoad)));
      await settle(() => udpAnswered(silent) > 0, 'the instance to silence to serve some of the load', 10_000);
      const answeredBefore = udpAnswered(silent);
      silent.process.kill('SIGSTOP');
      try {
        await sleep(AFTER_EVENT_MS);
        endLoad.abort();
        const udp = (await Promise.all(paced.map((r) => r.done))).map((run, i) => udpOutcome(run, lines(`silent${i}`, run.fed)));
        // No ICMP comes from a silent host, so nothing but right replies reach the clients;
        // the datagrams the silent instance swallowed were each sent again and answered.
        for (const u of udp) expect({ code: u.code, answered: u.answered, wrong: u.wrong, empty: u.empty }).toEqual({ code: 0, answered: u.fed, wrong: [], empty: 0 });
        const retransmitted = sum(udp.map((u) => u.retransmitted));
        expect(retransmitted).toBeGreaterThan(0);
        expect(answeredBefore).toBeGreaterThan(0);
        const timedOut = cluster.nginx.sessions().filter((s) => s.protocol === 'UDP' && s.status === 502);
        expect(timedOut.every((s) => servedBy(s) === cluster.upstreamOf(silent))).toBe(true);
        console.log(
          `SIGSTOP of a UDP instance: 3 of 3 udp-clients got all ${sum(udp.map((u) => u.fed))} replies right; ${retransmitted} attempts went unanswered ` +
            `(${timedOut.length} sessions nginx timed out, all on the silent instance) and were answered on retransmission by a survivor.`,
        );
      } finally {
        silent.process.kill('SIGCONT');
      }
    });
  });

  it('SIGTERM of one instance under load: it drains without losing a reply, the others go on', async () => {
    const cluster = await startCluster(install, { tcpInstances: 3, udpInstances: 3, serverArgs: DEBUG });
    await withCluster(cluster, async () => {
      const [drainingTcp, drainingUdp] = [cluster.tcp[0], cluster.udp[0]];
      const loadStart = now();
      // Long-lived connections, two per instance, each a steady stop-and-wait exchange.
      const endLoad = new AbortController();
      const raw = tcpLoad({ host: cluster.host, port: cluster.port, concurrency: 6, until: loadStart + 20_000, signal: endLoad.signal, maxMessages: 2000, perConnection: 2000, pauseMs: 2, tag: 'term' });
      const pacedUdp = [0, 1, 2].map((i) => runPaced('udp-client', [...target(cluster), ...DEBUG], lines(`udp${i}`, PLENTY), pacedUntil(endLoad)));

      await sleep(1000);
      const stopAt = now();
      const [tcpExit, udpExit] = await Promise.all([drainingTcp.stop('SIGTERM', 10_000), drainingUdp.stop('SIGTERM', 10_000)]);
      const stoppedIn = now() - stopAt;
      await sleep(AFTER_EVENT_MS);
      endLoad.abort();

      const [records, udpRuns] = await Promise.all([raw, Promise.all(pacedUdp.map((r) => r.done))]);

      expect({ tcpExit, udpExit }).toEqual({ tcpExit: { code: 0, signal: null }, udpExit: { code: 0, signal: null } });
      expect(stoppedIn).toBeLessThan(5000);
      expect(wrongs(records)).toEqual([]);
      // No connection broke: each ended by our close, or by the draining instance's FIN.
      expect(records.filter((r) => r.end !== 'client' && r.end !== 'fin').map((r) => r.end)).toEqual([]);

      // The draining instance had live connections, and answered what it had read on them.
      const drained = tcpConnections(drainingTcp).filter((l) => l.reason === 'server stopping');
      expect(drained.length).toBeGreaterThan(0);
      expect(sum(drained.map((l) => l.messages as number))).toBeGreaterThan(0);

      // Zero lost replies: every message any instance read came back to a client.
      const clientReplies = replies(records);
      await settle(() => sum(cluster.tcp.map(tcpMessages)) === clientReplies, 'the instances to count every reply');
      expect(sum(cluster.tcp.map(tcpMessages))).toBe(clientReplies);

      // The others went on: replies after the stop, on connections nginx gave to the survivors.
      const afterStop = sum(records.map((r) => r.replyTimes.filter((t) => t > stopAt + stoppedIn).length));
      expect(afterStop).toBeGreaterThan(0);
      const reconnected = records.filter((r) => r.openedAt > stopAt);
      expect(reconnected.length).toBeGreaterThan(0);
      const byPort = tcpSessionsBy(cluster.nginx.sessions());
      for (const r of reconnected) expect(servedBy(byPort.get(r.localPort))).not.toBe(cluster.upstreamOf(drainingTcp));

      const udp = udpRuns.map((run, i) => udpOutcome(run, lines(`udp${i}`, run.fed)));
      for (const u of udp) expect({ code: u.code, answered: u.answered, wrong: u.wrong, empty: u.empty }).toEqual({ code: 0, answered: u.fed, wrong: [], empty: 0 });
      const [udpLost, empties] = [sum(udp.map((u) => u.retransmitted)), sum(udp.map((u) => u.empty))];

      console.log(
        [
          `SIGTERM (${Math.round(stopAt - loadStart)} ms into the load), instance exited 0 in ${Math.round(stoppedIn)} ms:`,
          `TCP ${drained.length} connections drained with ${sum(drained.map((l) => l.messages as number))} messages answered, ${records.filter((r) => r.end === 'fin').length} ended by its FIN`,
          `(requests it had not read, sent again: ${records.filter((r) => r.end === 'fin' && unanswered(r)).length}),`,
          `${clientReplies} replies received = ${clientReplies} messages the instances read, ${afterStop} after the stop;`,
          `UDP: 3 of 3 udp-clients got all ${sum(udp.map((u) => u.fed))} replies, ${udpLost} attempts lost and answered on retransmission, ${empties} empty (ICMP port unreachable, passed on by nginx).`,
        ].join(' '),
      );
    });
  });
});
