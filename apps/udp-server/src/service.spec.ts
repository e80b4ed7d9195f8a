import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import {
  childPids,
  delay,
  httpGet,
  isRunning,
  killWorkersAsReplaced,
  metricValue,
  parseJsonLines,
  programRuntime,
  runProgram,
  scrapeMetrics,
  startServer,
  udpBurst,
  udpExchange,
  waitUntil,
  withTimeout,
  workerPids,
  type RunningServer,
} from '@sockets/testing';

// e2e: the built server run as a service (issue 11): workers, metrics and probes, failures.
jest.setTimeout(30_000);

describe('udp-server as a service (built program, loopback)', () => {
  const servers: RunningServer[] = [];
  const start = async (args: string[]): Promise<RunningServer> => {
    const server = await startServer('udp-server', args);
    servers.push(server);
    return server;
  };
  const answeredBy = (server: RunningServer) => new Set(server.logs.filter((line) => line.msg === 'datagram answered').map((line) => line.worker));

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop('SIGKILL')));
  });

  describe('--workers 2', () => {
    it('logs one server ready line with workers: 2 and answers from both workers on the one socket', async () => {
      const server = await start(['--workers', '2', '--log-level', 'debug']);
      expect(server.ready).toMatchObject({ level: 30, protocol: 'udp', address: '127.0.0.1', workers: 2 });
      // Sockets of their own where the runtime and the OS can (SO_REUSEPORT), else the cluster's sharing.
      expect(server.ready).toMatchObject({ balancing: programRuntime().balancing, runtime: programRuntime().name });
      expect(server.ready).not.toHaveProperty('worker');
      // Both workers read one shared socket: whichever wakes first takes what is queued. Bursts
      // from several sockets at once make it overwhelmingly likely that both take some.
      for (let round = 0; round < 10 && answeredBy(server).size < 2; round++) {
        const { sent, replies } = await udpBurst(server.port, (s, i) => `socket ${s} datagram ${i}`);
        expect(replies).toHaveLength(sent);
        await delay(50);
      }
      expect([...answeredBy(server)].sort()).toEqual([1, 2]);
      expect(server.logs.filter((line) => line.msg === 'server ready')).toHaveLength(1);
    });

    it('on SIGTERM mid-stream delivers every reply it answered and exits 0 within 5 s', async () => {
      const server = await start(['--workers', '2', '--log-level', 'debug']);
      const clients = await Promise.all(Array.from({ length: 4 }, () => boundSocket()));
      const replies: string[] = [];
      for (const client of clients) client.on('message', (reply) => replies.push(reply.toString()));
      let sending = true;
      const senders = clients.map(async (client, c) => {
        for (let i = 0; sending && i < 2000; i++) {
          client.send(`client ${c} datagram ${i}`, server.port, '127.0.0.1');
          if (i % 10 === 9) await delay(2);
        }
      });
      try {
        await waitUntil(() => replies.length >= 100, 'the first replies', 5000);
        const started = performance.now();
        process.kill(server.pid, 'SIGTERM');
        const exit = await withTimeout(server.exited, 5000, 'the server to exit');
        expect(performance.now() - started).toBeLessThan(5000);
        expect(exit).toEqual({ code: 0, signal: null });
      } finally {
        sending = false;
        await Promise.all(senders);
      }
      // Loopback delivers at once; give a reply sent just before the exit time to land.
      await delay(200);
      const answered = server.logs.filter((line) => line.msg === 'datagram answered');
      expect(replies.length).toBe(answered.length);
      expect(replies.filter((reply) => !/^CLIENT \d DATAGRAM \d+$/.test(reply))).toEqual([]);
      expect(server.logs.filter((line) => line.msg === 'stopped').map((line) => line.worker ?? 'primary')).toEqual(expect.arrayContaining([1, 2, 'primary']));
      for (const client of clients) client.close();
    });

    it('replaces a worker killed with SIGKILL, with a warn line, while a client keeps getting answers', async () => {
      const server = await start(['--workers', '2', '--log-level', 'debug']);
      const workers = await workerPids(server, 2);
      let talking = true;
      let answered = 0;
      // A datagram the killed worker had read is lost with it: the retry covers that.
      const conversation = (async () => {
        for (let i = 0; talking && i < 2000; i++) {
          expect((await udpExchange(server.port, `ping ${i}`, { attempts: 10, waitMs: 300 })).toString()).toBe(`PING ${i}`);
          answered++;
          await delay(10);
        }
      })();
      try {
        await waitUntil(() => answered >= 5, 'the first answers', 5000);
        process.kill(workers[0], 'SIGKILL');
        expect(await server.waitForLog((line) => line.msg === 'worker died, replacing it')).toMatchObject({
          level: 40,
          workerPid: workers[0],
          signal: 'SIGKILL',
        });
        const replacement = await waitUntil(() => childPids(server.pid).find((pid) => !workers.includes(pid)), 'a replacement worker', 5000);
        expect(replacement).not.toBe(workers[0]);
        const answeredAtKill = answered;
        // The replacement reads the shared socket too: cluster numbers workers from 1, so it
        // is worker 3.
        for (let round = 0; round < 30 && !answeredBy(server).has(3); round++) {
          await udpBurst(server.port, (s, i) => `socket ${s} datagram ${i}`, { waitMs: 1000 });
          await delay(50);
        }
        expect(answeredBy(server).has(3)).toBe(true);
        await waitUntil(() => answered > answeredAtKill + 5, 'answers after the kill', 5000);
      } finally {
        talking = false;
        await conversation;
      }
      expect(server.logs.filter((line) => line.msg === 'server ready')).toHaveLength(1);
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    });

    it('stops with exit 1 and one stderr line when 5 workers die within 10 s', async () => {
      const server = await start(['--workers', '2', '--metrics-port', '0']);
      const metricsPort = server.ready.metricsPort as number;
      const killed = await killWorkersAsReplaced(server, 2, 5);
      expect(killed).toHaveLength(5);
      const survivors = childPids(server.pid);
      expect(await withTimeout(server.exited, 5000, 'the server to exit')).toEqual({ code: 1, signal: null });
      expect(server.stderr()).toBe('udp-server: 5 workers died within 10 s (the last with SIGKILL); stopping\n');
      expect(server.logs.filter((line) => line.msg === 'worker died, replacing it')).toHaveLength(4);
      expect(server.logs.find((line) => line.level === 60)).toMatchObject({ msg: 'workers keep dying, stopping', code: 'ERR_WORKER_CRASH_LOOP', deaths: 5 });
      await expect(httpGet(metricsPort, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
      expect(survivors.length).toBeGreaterThan(0);
      expect([...killed, ...survivors].filter((pid) => isRunning(pid))).toEqual([]);
    });
  });

  describe('--metrics-port', () => {
    it.each([1, 2])('counts messages, bytes and too-large replies exactly, with %i worker(s)', async (workers) => {
      const server = await start(['--workers', String(workers), '--metrics-port', '0']);
      const metricsPort = server.ready.metricsPort as number;
      expect(metricsPort).toEqual(expect.any(Number));

      // ŉ uppercases to ʼN, one byte more; the empty datagram is a message too.
      const messages = ['ŉ one', 'two', '', 'x'.repeat(3000), 'straße'];
      const expected = messages.map((text) => text.toUpperCase());
      for (const [i, text] of messages.entries()) {
        // One attempt: a retransmission would count twice.
        expect((await udpExchange(server.port, text, { attempts: 1, waitMs: 5000 })).toString()).toBe(expected[i]);
      }
      const bytes = (texts: string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      const counts = async () => {
        const samples = await scrapeMetrics(metricsPort);
        return {
          messages: metricValue(samples, 'sockets_messages_total'),
          received: metricValue(samples, 'sockets_received_bytes_total'),
          sent: metricValue(samples, 'sockets_sent_bytes_total'),
          tooLarge: metricValue(samples, 'sockets_errors_total', { reason: 'reply_too_large' }),
        };
      };
      expect(await counts()).toEqual({ messages: 5, received: bytes(messages), sent: bytes(expected), tooLarge: undefined });

      // ΐ (2 bytes) uppercases to three code points, 6 bytes: 30,000 bytes in, 90,000 out.
      const tooLarge = 'ΐ'.repeat(15_000);
      const client = await boundSocket();
      const replies: Buffer[] = [];
      client.on('message', (reply) => replies.push(reply));
      client.send(tooLarge, server.port, '127.0.0.1');
      const after = await waitUntil(async () => {
        const now = await counts();
        return now.tooLarge === 1 && now;
      }, 'the too-large reply to be counted', 5000);
      expect(after).toEqual({ messages: 5, received: bytes(messages) + 30_000, sent: bytes(expected), tooLarge: 1 });
      expect(await server.waitForLog((line) => line.msg === 'reply too large for one datagram, not sent')).toMatchObject({ level: 40, bytesIn: 30_000, bytesOut: 90_000 });
      expect(replies).toEqual([]);
      client.close();

      const samples = await scrapeMetrics(metricsPort);
      expect(metricValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(metricValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      // Bun gives prom-client no garbage collections and no handles: the server says so once,
      // and those metrics have no samples rather than zeros.
      const absent = server.logs.find((line) => line.msg === 'this runtime reports nothing for some default metrics');
      if (programRuntime().name.startsWith('bun ')) {
        expect(absent).toMatchObject({ runtime: programRuntime().name, absent: expect.arrayContaining(['nodejs_gc_duration_seconds', 'nodejs_active_handles']) });
        for (const name of absent?.absent as string[]) expect(metricValue(samples, name)).toBeUndefined();
      } else {
        expect(absent).toBeUndefined();
      }
      expect(await httpGet(metricsPort, '/healthz')).toMatchObject({ status: 200 });
      expect(await httpGet(metricsPort, '/readyz')).toMatchObject({ status: 200 });
      expect(await httpGet(metricsPort, '/nope')).toMatchObject({ status: 404 });
    });
  });

  describe('warnings a peer can cause', () => {
    it('writes a flood of replies too large for a datagram as a line a second, with a count', async () => {
      const server = await start(['--metrics-port', '0']);
      // U+0390 uppercases to three code points, 2 bytes to 6: 21,836 of them make a reply of
      // 131,016 bytes, twice what one datagram can carry.
      const flood = Buffer.from('ΐ'.repeat(10_918));
      const client = await boundSocket();
      for (let i = 0; i < 200; i++) client.send(flood, server.port, '127.0.0.1');
      const counted = async () => metricValue(await scrapeMetrics(server.ready.metricsPort as number), 'sockets_errors_total', { reason: 'reply_too_large' }) ?? 0;
      // The kernel drops what the server cannot read in time; the metric says how many it got.
      const tooLarge = await waitUntil(async () => {
        const now = await counted();
        await delay(300);
        return now > 0 && now === (await counted()) && now;
      }, 'the flood to end', 10_000);
      const lines = () => server.logs.filter((line) => line.msg === 'reply too large for one datagram, not sent');
      // Every one is in a line's count once the held-back ones have been written (a second on).
      await waitUntil(() => lines().reduce((sum, line) => sum + (line.count as number), 0) === tooLarge, 'the count of every reply too large', 5_000);
      expect(lines().length).toBeLessThanOrEqual(3);
      expect(lines()[0]).toMatchObject({ level: 40, count: 1, bytesIn: flood.length, bytesOut: 3 * flood.length });
      client.close();
    });
  });

  describe('refusals and failures', () => {
    it.each([
      [['--workers', '0'], {}, '--workers'],
      [['--workers', 'abc'], {}, '--workers'],
      [['--metrics-port', '70000'], {}, '--metrics-port'],
      [['--log-format', 'xml'], {}, '--log-format'],
      [[], { LOG_FORMAT: 'JSON' }, 'LOG_FORMAT'],
      [[], { WORKERS: 'many' }, 'WORKERS'],
      // The same rule from either place: an empty variable is a bad value, not an unset one, and
      // a bad one is refused also beside a good flag; a flag is given once.
      [[], { PORT: '' }, 'PORT (environment)'],
      [[], { METRICS_PORT: '' }, 'METRICS_PORT (environment)'],
      [['--workers', '2'], { WORKERS: 'banana' }, 'WORKERS (environment)'],
      [['--port', '1'], {}, '--port given 2 times ("0", "1")'],
      [['--drop-rate', '1.5'], {}, '--drop-rate'],
    ])('refuses %j %j with exit 2 and one line naming %s', async (args, env, flag) => {
      const result = await runProgram('udp-server', ['--host', '127.0.0.1', '--port', '0', ...args], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^udp-server: [^\n]+\n$/);
      expect(result.stderr).toContain(flag);
      expect(result.stdout.length).toBe(0);
    });

    it('suggests --port for --prot', async () => {
      const result = await runProgram('udp-server', ['--prot', '1']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^udp-server: [^\n]*did you mean --port\?[^\n]*\n$/);
    });

    describe('with the port taken', () => {
      let udpHolder: Socket;
      let tcpHolder: Server;
      let udpTaken: number;
      let tcpTaken: number;
      beforeAll(async () => {
        udpHolder = await boundSocket(true);
        udpTaken = udpHolder.address().port;
        tcpHolder = createServer();
        tcpTaken = await new Promise<number>((resolve) => tcpHolder.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve((tcpHolder.address() as { port: number }).port)));
      });
      afterAll(async () => {
        udpHolder.close();
        await new Promise<void>((resolve) => tcpHolder.close(() => resolve()));
      });

      it.each([
        ['--port', 1],
        ['--port', 2],
        ['--metrics-port', 1],
        ['--metrics-port', 2],
      ])('exits 1 with one stderr line and a fatal JSON line when %s is in use, with %i worker(s)', async (flag, workers) => {
        const taken = flag === '--port' ? udpTaken : tcpTaken;
        const ports = flag === '--port' ? ['--port', String(taken)] : ['--port', '0', '--metrics-port', String(taken)];
        const result = await runProgram('udp-server', ['--host', '127.0.0.1', ...ports, '--workers', String(workers)], { env: { LOG_FORMAT: 'json' }, timeoutMs: 10_000 });
        const what = flag === '--port' ? 'cannot bind' : 'cannot listen for metrics on';
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`udp-server: ${what} 127.0.0.1:${taken}: address already in use\n`);
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

function boundSocket(exclusive = false): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: '127.0.0.1', exclusive }, () => resolve(socket));
  });
}
