import { parentPort, workerData } from 'node:worker_threads';
import { prepareBulk } from './tcp-bulk';
import { prepareCpm } from './tcp-cpm';
import { preparePipe } from './tcp-pipe';
import { emptyCounts, type FromWorker, type LoadDriver, type LoadJob, type ToWorker, type WorkerCounts } from './types';
import { prepareUdp } from './udp-rr';

const PREPARE: Record<LoadJob['kind'], (job: LoadJob, counts: WorkerCounts) => Promise<LoadDriver>> = {
  'tcp-pipe': preparePipe,
  'tcp-cpm': prepareCpm,
  'tcp-bulk': prepareBulk,
  'udp-rr': prepareUdp,
};

/** Body of a load worker thread: connect, say ready, run on `start`, send the counts back. */
export function workerMain(): void {
  const port = parentPort;
  if (!port) throw new Error('workerMain runs in a worker thread');
  const job = workerData as LoadJob;
  const counts = emptyCounts();
  const post = (message: FromWorker) => port.postMessage(message);
  PREPARE[job.kind](job, counts).then(
    (driver) => {
      port.once('message', (message: ToWorker) => {
        driver.run(message.schedule).then(
          () => post({ type: 'result', counts }),
          (error: Error) => post({ type: 'fatal', message: error.message }),
        );
      });
      post({ type: 'ready' });
    },
    (error: Error) => post({ type: 'fatal', message: error.message }),
  );
}
