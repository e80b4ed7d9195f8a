import { scrapeMessages, startServer, TestPeer, waitUntil, scrapesThroughWorkerDeath, type RunningServer } from '@sockets/testing';

// Fault injection: a worker killed under a server with --workers and --metrics-port. The totals
// must not go down (Prometheus would read a counter reset), and a scrape must answer promptly
// also while the replacement starts.
jest.setTimeout(30_000);

/** The contract says 1 s; the margin is for a loaded test machine, and far below the 5 s a scrape once waited. */
const SCRAPE_BOUND_MS = 2500;

describe('tcp-server --workers 2 --metrics-port when a worker dies', () => {
  let server: RunningServer | undefined;
  afterEach(() => server?.stop('SIGKILL'));

  it('keeps the dead worker in the totals, and answers every scrape promptly while it is replaced', async () => {
    server = await startServer('tcp-server', ['--workers', '2', '--metrics-port', '0', '--log-level', 'debug']);
    const metricsPort = server.ready.metricsPort as number;
    // 2,000 lines over 20 connections, until both workers have served some.
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('');
    const served = new Set<unknown>();
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      const peer = await TestPeer.connect(server.port);
      await peer.write(lines);
      await peer.waitForText(lines.toUpperCase());
      sent += 100;
      const port = peer.localPort;
      peer.socket.end();
      const closed = await server.waitForLog((line) => line.msg === 'connection closed' && line.remotePort === port);
      served.add(closed.worker);
      peer.destroy();
    }
    expect(served.size).toBe(2);
    const before = await scrapeMessages(metricsPort);
    expect(before).toMatchObject({ status: 200, messages: sent });

    // Scrapes right away and on through the replacement, each answered, none lower than before.
    for (const scrape of await scrapesThroughWorkerDeath(server, metricsPort)) {
      expect(scrape).toMatchObject({ status: 200, messages: sent });
      expect(scrape.ms).toBeLessThan(SCRAPE_BOUND_MS);
    }
    // The replacement serves and counts on top of what the dead worker left.
    const peer = await TestPeer.connect(server.port);
    await peer.write('one more\n');
    await peer.waitForText('ONE MORE\n');
    peer.destroy();
    await waitUntil(async () => (await scrapeMessages(metricsPort)).messages === sent + 1, 'the new message to be counted', 5000);
  });
});
