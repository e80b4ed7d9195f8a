import { createConnection } from 'node:net';
import { createServer, type Server } from 'node:net';
import {
  TestPeer,
  childPids,
  delay,
  drained,
  httpGet,
  isRunning,
  killWorkersAsReplaced,
  metricValue,
  parseJsonLines,
  programRuntime,
  runProgram,
  scrapeMetrics,
  startServer,
  tcpConnectionOwner,
  waitUntil,
  withTimeout,
  workerPids,
  type RunningServer,
} from '@sockets/testing';

// e2e: the built server run as a service (issue 11): workers, metrics and probes, failures.
jest.setTimeout(30_000);

describe('tcp-server as a service (built program, loopback)', () => {
  const servers: RunningServer[] = [];
  const peers: TestPeer[] = [];
  const start = async (args: string[]): Promise<RunningServer> => {
    const server = await startServer('tcp-server', args);
    servers.push(server);
    return server;
  };
  const connect = async (server: RunningServer, options?: { allowHalfOpen?: boolean }): Promise<TestPeer> => {
    const peer = await TestPeer.connect(server.port, '127.0.0.1', 10_000, options);
    peers.push(peer);
    return peer;
  };
  const closeLogOf = (server: RunningServer, peer: TestPeer) => {
    const port = peer.localPort;
    return server.waitForLog((line) => line.msg === 'connection closed' && line.remotePort === port);
  };
  const readyLines = (server: RunningServer) => server.logs.filter((line) => line.msg === 'server ready');

  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.destroy();
    await Promise.all(servers.splice(0).map((server) => server.stop('SIGKILL')));
  });

  describe('--workers 2', () => {
    it('logs one server ready line with workers: 2 and answers from both workers', async () => {
      const server = await start(['--workers', '2', '--log-level', 'debug']);
      expect(server.ready).toMatchObject({ level: 30, protocol: 'tcp', address: '127.0.0.1', workers: 2 });
      // Sockets of their own where the runtime and the OS can (SO_REUSEPORT), else the cluster's sharing.
      expect(server.ready).toMatchObject({ balancing: programRuntime().balancing, runtime: programRuntime().name });
      expect(server.ready).not.toHaveProperty('worker');
      const served = new Set<unknown>();
      for (let i = 0; i < 20 && served.size < 2; i++) {
        const peer = await connect(server);
        await peer.write(`hello ${i}\n`);
        await peer.waitForText(`HELLO ${i}\n`);
        peer.socket.end();
        const closed = await closeLogOf(server, peer);
        expect(closed).toMatchObject({ level: 20, messages: 1, reason: 'peer closed' });
        served.add(closed.worker);
      }
      expect([...served].sort()).toEqual([1, 2]);
      expect(readyLines(server)).toHaveLength(1);
    });

    it('on SIGTERM sends every reply owed to slow readers and exits 0 within 5 s', async () => {
      const server = await start(['--workers', '2', '--log-level', 'debug']);
      const filler = 'x'.repeat(1000);
      const line = (i: number) => `line ${i} ${filler}\n`;
      // Two clients (one per worker, as the primary hands connections out in turn) that send
      // until the server stops taking bytes and read nothing: replies pile up in the server.
      const clients = await Promise.all([connect(server), connect(server)]);
      await Promise.all(
        clients.map(async (peer) => {
          peer.socket.pause();
          let next = 0;
          let stalled = false;
          for (let chunk = 0; chunk < 2048 && !stalled; chunk++) {
            let text = '';
            for (let i = 0; i < 64; i++) text += line(next++);
            if (!peer.socket.write(text)) stalled = !(await drained(peer.socket, 1500));
          }
          expect(stalled).toBe(true);
        }),
      );
      const receivedAtSignal = clients.map((peer) => peer.length);

      const started = performance.now();
      process.kill(server.pid, 'SIGTERM');
      await delay(300);
      for (const peer of clients) peer.socket.resume();
      await Promise.all(clients.map((peer) => peer.waitForEnd()));
      const exit = await withTimeout(server.exited, 5000, 'the server to exit');
      expect(performance.now() - started).toBeLessThan(5000);
      expect(exit).toEqual({ code: 0, signal: null });

      for (const [n, peer] of clients.entries()) {
        const closed = await closeLogOf(server, peer);
        expect(closed).toMatchObject({ reason: 'server stopping', worker: expect.any(Number) });
        // Owed at the signal: nothing had been read yet.
        expect(receivedAtSignal[n]).toBe(0);
        // `upper` answers bytes as they stream through, a tail cut mid-line included: every
        // byte the server read was answered, and every reply byte arrived, in order.
        expect(closed.bytesOut).toBe(closed.bytesIn);
        expect(peer.length).toBe(closed.bytesOut);
        let sent = '';
        for (let i = 0; sent.length < peer.length; i++) sent += line(i);
        const expected = sent.slice(0, peer.length).toUpperCase();
        if (peer.text !== expected) throw new Error(`the replies differ from the upper-cased input (${peer.length} bytes)`);
        expect(closed.messages).toBe(expected.split('\n').length - (expected.endsWith('\n') ? 1 : 0));
      }
      expect(server.logs.filter((l) => l.msg === 'stopped').map((l) => l.worker ?? 'primary')).toEqual(expect.arrayContaining([1, 2, 'primary']));
    });

    it('replaces a worker killed with SIGKILL, with a warn line, while a client keeps getting answers', async () => {
      const server = await start(['--workers', '2', '--log-level', 'debug']);
      const workers = await workerPids(server, 2);
      const client = await connect(server);
      await client.write('before\n');
      await client.waitForText('BEFORE\n');
      const owner = await waitUntil(() => tcpConnectionOwner(workers, server.port, client.localPort), 'the worker serving the client', 5000);
      const victim = workers.find((pid) => pid !== owner) as number;

      let talking = true;
      let answered = 0;
      const conversation = (async () => {
        for (let i = 0; talking && i < 2000; i++) {
          await client.write(`ping ${i}\n`);
          await client.waitForText(`PING ${i}\n`, 5000);
          answered++;
          await delay(10);
        }
      })();

      try {
        process.kill(victim, 'SIGKILL');
        expect(await server.waitForLog((line) => line.msg === 'worker died, replacing it')).toMatchObject({
          level: 40,
          workerPid: victim,
          signal: 'SIGKILL',
        });
        const replacement = await waitUntil(() => childPids(server.pid).find((pid) => !workers.includes(pid)), 'a replacement worker', 5000);
        expect(replacement).not.toBe(victim);
        // The replacement serves too, once it listens: cluster numbers workers from 1, so it
        // is worker 3.
        let servedByReplacement = false;
        for (let i = 0; i < 100 && !servedByReplacement; i++) {
          const peer = await connect(server);
          await peer.write(`new ${i}\n`);
          await peer.waitForText(`NEW ${i}\n`);
          peer.socket.end();
          servedByReplacement = (await closeLogOf(server, peer)).worker === 3;
          if (!servedByReplacement) await delay(50);
        }
        expect(servedByReplacement).toBe(true);
      } finally {
        talking = false;
        await conversation;
      }
      expect(answered).toBeGreaterThan(0);
      expect(client.closed).toBe(false);
      expect(readyLines(server)).toHaveLength(1);
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    });

    it('stops with exit 1 and one stderr line when 5 workers die within 10 s', async () => {
      const server = await start(['--workers', '2', '--metrics-port', '0']);
      const metricsPort = server.ready.metricsPort as number;
      const killed = await killWorkersAsReplaced(server, 2, 5);
      expect(killed).toHaveLength(5);
      const survivors = childPids(server.pid);
      expect(await withTimeout(server.exited, 5000, 'the server to exit')).toEqual({ code: 1, signal: null });
      expect(server.stderr()).toBe('tcp-server: 5 workers died within 10 s (the last with SIGKILL); stopping\n');
      expect(server.logs.filter((line) => line.msg === 'worker died, replacing it')).toHaveLength(4);
      expect(server.logs.find((line) => line.level === 60)).toMatchObject({ msg: 'workers keep dying, stopping', code: 'ERR_WORKER_CRASH_LOOP', deaths: 5 });
      // Nothing is left behind: the probes went with the primary, and no worker lives on.
      await expect(httpGet(metricsPort, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
      expect(survivors.length).toBeGreaterThan(0);
      expect([...killed, ...survivors].filter((pid) => isRunning(pid))).toEqual([]);
    });
  });

  describe('--metrics-port', () => {
    it.each([1, 2])('counts messages, bytes and connections exactly, with %i worker(s)', async (workers) => {
      const server = await start(['--workers', String(workers), '--metrics-port', '0', '--log-level', 'debug']);
      const metricsPort = server.ready.metricsPort as number;
      expect(metricsPort).toEqual(expect.any(Number));
      expect(metricsPort).not.toBe(server.port);

      // ß uppercases to SS: one byte more out than in, so the two byte counters differ.
      const lines = ['straße 1\n', 'hello\r\n', 'x'.repeat(5000) + '\n'];
      const replies = ['STRASSE 1\n', 'HELLO\r\n', 'X'.repeat(5000) + '\n'];
      const clients = await Promise.all(Array.from({ length: 4 }, () => connect(server)));
      for (const peer of clients) {
        await peer.write(lines.join(''));
        await peer.waitForText(replies.join(''));
      }
      const during = await scrapeMetrics(metricsPort);
      expect(metricValue(during, 'sockets_connections_open')).toBe(4);
      expect(metricValue(during, 'sockets_connections_accepted_total')).toBe(4);

      for (const peer of clients) peer.socket.end();
      for (const peer of clients) await closeLogOf(server, peer);
      const after = await scrapeMetrics(metricsPort);
      const bytes = (texts: string[]) => 4 * Buffer.byteLength(texts.join(''));
      expect({
        messages: metricValue(after, 'sockets_messages_total'),
        received: metricValue(after, 'sockets_received_bytes_total'),
        sent: metricValue(after, 'sockets_sent_bytes_total'),
        accepted: metricValue(after, 'sockets_connections_accepted_total'),
        rejected: metricValue(after, 'sockets_connections_rejected_total'),
        open: metricValue(after, 'sockets_connections_open'),
      }).toEqual({ messages: 12, received: bytes(lines), sent: bytes(replies), accepted: 4, rejected: 0, open: 0 });
      // Node's default process metrics, added up over the workers too.
      expect(metricValue(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(metricValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);

      expect(await httpGet(metricsPort, '/healthz')).toMatchObject({ status: 200 });
      expect(await httpGet(metricsPort, '/readyz')).toMatchObject({ status: 200 });
      const response = await httpGet(metricsPort, '/metrics');
      expect(response.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    });

    it.each([1, 2])('answers /readyz 503 from SIGTERM on while a connection drains, with %i worker(s)', async (workers) => {
      // No idle flush: the open message ends only when the stop answers it.
      const server = await start(['--workers', String(workers), '--metrics-port', '0', '--flush-ms', '60000', '--transform', 'count-s']);
      const metricsPort = server.ready.metricsPort as number;
      // A peer that has not finished: it keeps its side open after the server's FIN.
      const holder = await connect(server, { allowHalfOpen: true });
      await holder.write('sss');
      await waitUntil(async () => metricValue(await scrapeMetrics(metricsPort), 'sockets_received_bytes_total') === 3, 'the server to read the open message', 5000);
      expect((await httpGet(metricsPort, '/readyz')).status).toBe(200);

      const started = performance.now();
      process.kill(server.pid, 'SIGTERM');
      await server.waitForLog((line) => line.msg === 'stopping' && line.worker === undefined);
      expect(await httpGet(metricsPort, '/readyz')).toMatchObject({ status: 503 });
      expect(await httpGet(metricsPort, '/healthz')).toMatchObject({ status: 200 });
      await holder.waitForEnd();
      expect(holder.text).toBe('3');
      // Still draining: the server waits for this peer to finish.
      expect(server.process.exitCode).toBeNull();
      expect((await httpGet(metricsPort, '/readyz')).status).toBe(503);

      holder.socket.end();
      expect(await withTimeout(server.exited, 5000, 'the server to exit')).toEqual({ code: 0, signal: null });
      expect(performance.now() - started).toBeLessThan(5000);
    });

    it('holds at most 16 connections to the metrics port, each a few seconds, and the data port serves meanwhile', async () => {
      const server = await start(['--metrics-port', '0']);
      const metricsPort = server.ready.metricsPort as number;
      const started = performance.now();
      const idle = await Promise.all(
        Array.from({ length: 40 }, () =>
          new Promise<{ closedAfterMs: Promise<number> }>((resolve, reject) => {
            const socket = createConnection({ host: '127.0.0.1', port: metricsPort });
            socket.on('error', () => undefined);
            const closedAfterMs = new Promise<number>((done) => socket.once('close', () => done(performance.now() - started)));
            socket.once('connect', () => resolve({ closedAfterMs }));
            socket.once('error', reject);
          }),
        ),
      );
      const peer = await connect(server);
      await peer.write('still here\n');
      await peer.waitForText('STILL HERE\n');
      const closedAt = await withTimeout(Promise.all(idle.map((socket) => socket.closedAfterMs)), 15_000, 'every idle metrics connection to be closed');
      // Over the cap: closed at once (Bun takes up to a second). The others: at the end of their 5 s.
      expect(closedAt.filter((ms) => ms < 4000).length).toBeGreaterThanOrEqual(24);
      expect(Math.max(...closedAt)).toBeLessThan(10_000);
      expect(await server.waitForLog((line) => line.msg === 'metrics connection over the cap closed')).toMatchObject({ level: 40, maxConnections: 16 });
      expect(await httpGet(metricsPort, '/healthz')).toMatchObject({ status: 200 });
    });

    it('counts a connection over --max-connections as rejected', async () => {
      const server = await start(['--max-connections', '1', '--metrics-port', '0']);
      const metricsPort = server.ready.metricsPort as number;
      const served = await connect(server);
      await served.write('in\n');
      await served.waitForText('IN\n');
      const over = await connect(server);
      await over.write('out\n').catch(() => undefined);
      await over.waitForClose();
      expect(over.length).toBe(0);
      const samples = await waitUntil(async () => {
        const scraped = await scrapeMetrics(metricsPort);
        return metricValue(scraped, 'sockets_connections_rejected_total') === 1 && scraped;
      }, 'the rejection to be counted', 5000);
      expect(metricValue(samples, 'sockets_connections_accepted_total')).toBe(1);
      expect(metricValue(samples, 'sockets_connections_open')).toBe(1);
      expect(metricValue(samples, 'sockets_messages_total')).toBe(1);
    });
  });

  describe('refusals and failures', () => {
    it.each([
      [['--workers', '0'], {}, '--workers'],
      [['--workers', 'abc'], {}, '--workers'],
      [['--metrics-port', '70000'], {}, '--metrics-port'],
      [['--log-format', 'xml'], {}, '--log-format'],
      [[], { LOG_FORMAT: 'JSON' }, 'LOG_FORMAT'],
      [[], { WORKERS: '0' }, 'WORKERS'],
      [[], { METRICS_PORT: '-1' }, 'METRICS_PORT'],
    ])('refuses %j %j with exit 2 and one line naming %s', async (args, env, flag) => {
      const result = await runProgram('tcp-server', ['--host', '127.0.0.1', '--port', '0', ...args], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^tcp-server: [^\n]+\n$/);
      expect(result.stderr).toContain(flag);
      expect(result.stdout.length).toBe(0);
    });

    it('suggests --port for --prot', async () => {
      const result = await runProgram('tcp-server', ['--prot', '1']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^tcp-server: [^\n]*did you mean --port\?[^\n]*\n$/);
    });

    describe('with the port taken', () => {
      let holder: Server;
      let taken: number;
      beforeAll(async () => {
        holder = createServer();
        taken = await new Promise<number>((resolve) => holder.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve((holder.address() as { port: number }).port)));
      });
      afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

      it.each([
        ['--port', 1],
        ['--port', 2],
        ['--metrics-port', 1],
        ['--metrics-port', 2],
      ])('exits 1 with one stderr line and a fatal JSON line when %s is in use, with %i worker(s)', async (flag, workers) => {
        const ports = flag === '--port' ? ['--port', String(taken)] : ['--port', '0', '--metrics-port', String(taken)];
        const result = await runProgram('tcp-server', ['--host', '127.0.0.1', ...ports, '--workers', String(workers)], { env: { LOG_FORMAT: 'json' }, timeoutMs: 10_000 });
        const what = flag === '--port' ? 'cannot listen on' : 'cannot listen for metrics on';
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`tcp-server: ${what} 127.0.0.1:${taken}: address already in use\n`);
        const logs = parseJsonLines(result.stdout.toString());
        expect(logs.some((line) => line.msg === 'server ready')).toBe(false);
        const fatal = logs.filter((line) => line.level === 60);
        expect(fatal.length).toBeGreaterThanOrEqual(1);
        for (const line of fatal) {
          expect(line).toMatchObject({ msg: `${what} 127.0.0.1:${taken}`, code: 'EADDRINUSE', address: '127.0.0.1', port: taken, reason: 'address already in use' });
        }
      });
    });
  });
});
