import { scrapeMessages } from './metrics-text';
import { childPids } from './process-tree';
import type { RunningServer } from './start-server';
import { waitUntil } from './wait-until';

/** The worker processes of a server started with `--workers count`, once all of them exist. */
export function workerPids(server: RunningServer, count: number, timeoutMs = 5000): Promise<number[]> {
  return waitUntil(
    () => {
      const pids = childPids(server.pid);
      return pids.length === count && pids;
    },
    `${count} workers of pid ${server.pid}`,
    timeoutMs,
  );
}

/**
 * SIGKILLs `count` workers of a cluster primary, one after the other: first a running worker,
 * then each replacement as soon as the primary has forked it. Resolves with the pids killed.
 */
export async function killWorkersAsReplaced(server: RunningServer, workers: number, count: number, timeoutMs = 5000): Promise<number[]> {
  const seen = new Set(await workerPids(server, workers, timeoutMs));
  let target = [...seen][0];
  const killed: number[] = [];
  for (let i = 0; i < count; i++) {
    process.kill(target, 'SIGKILL');
    killed.push(target);
    if (i === count - 1) break;
    target = await waitUntil(() => childPids(server.pid).find((pid) => !seen.has(pid)), `the replacement of worker ${target}`, timeoutMs, 5);
    seen.add(target);
  }
  return killed;
}

/**
 * SIGKILLs one worker of a server run with `--workers 2 --metrics-port`, and scrapes `/metrics`
 * `count` times from that moment on, through the worker's replacement (waited for): each
 * scrape's status, time and `sockets_messages_total`.
 */
export async function scrapesThroughWorkerDeath(server: RunningServer, metricsPort: number, count = 15): Promise<Array<Awaited<ReturnType<typeof scrapeMessages>>>> {
  const [victim] = await workerPids(server, 2);
  const replaced = server.waitForLog((line) => line.msg === 'worker died, replacing it');
  // Awaited below; should a scrape fail first, its rejection must not go unhandled meanwhile.
  replaced.catch(() => undefined);
  process.kill(victim, 'SIGKILL');
  const scrapes: Array<Awaited<ReturnType<typeof scrapeMessages>>> = [];
  for (let i = 0; i < count; i++) scrapes.push(await scrapeMessages(metricsPort));
  await replaced;
  return scrapes;
}
