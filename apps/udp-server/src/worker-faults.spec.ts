import { scrapeMessages, startServer, udpBurst, udpExchange, waitUntil, scrapesThroughWorkerDeath, type RunningServer } from '@sockets/testing';

// Fault injection: a worker killed under a server with --workers and --metrics-port. The totals
// must not go down (Prometheus would read a counter reset), and a scrape must answer promptly
// also while the replacement starts.
jest.setTimeout(30_000);

/** The contract says 1 s; the margin is for a loaded test machine, and far below the 5 s a scrape once waited. */
const SCRAPE_BOUND_MS = 2500;

describe('udp-server --workers 2 --metrics-port when a worker dies', () => {
  let server: RunningServer | undefined;
  afterEach(() => server?.stop('SIGKILL'));

  it('keeps the dead worker in the totals, and answers every scrape promptly while it is replaced', async () => {
    server = await startServer('udp-server', ['--workers', '2', '--metrics-port', '0', '--log-level', 'debug']);
    const metricsPort = server.ready.metricsPort as number;
    // Bursts of 200 from many sockets, until 2,000 are answered and both workers answered some.
    let sent = 0;
    const answeredBy = () => new Set(server?.logs.filter((line) => line.msg === 'datagram answered').map((line) => line.worker));
    for (let round = 0; round < 20 && (sent < 2000 || answeredBy().size < 2); round++) {
      const burst = await udpBurst(server.port, (s, i) => `round ${round} socket ${s} datagram ${i}`, { sockets: 10, perSocket: 20, waitMs: 5000 });
      expect(burst.replies).toHaveLength(burst.sent);
      sent += burst.sent;
    }
    expect(answeredBy().size).toBe(2);
    const before = await scrapeMessages(metricsPort);
    expect(before).toMatchObject({ status: 200, messages: sent });

    // Scrapes right away and on through the replacement, each answered, none lower than before.
    for (const scrape of await scrapesThroughWorkerDeath(server, metricsPort)) {
      expect(scrape).toMatchObject({ status: 200, messages: sent });
      expect(scrape.ms).toBeLessThan(SCRAPE_BOUND_MS);
    }
    expect((await udpExchange(server.port, 'one more', { attempts: 5, waitMs: 1000 })).toString()).toBe('ONE MORE');
    await waitUntil(async () => ((await scrapeMessages(metricsPort)).messages ?? 0) >= sent + 1, 'the new message to be counted', 5000);
  });
});
