import { BULK_PIECE, BulkPlan } from '../bulk-plan';
import { connectTcp } from '@sockets/runtime';
import { localTimes, sleepUntil } from './connect';
import { noteProblem, type LoadDriver, type LoadJob, type WorkerCounts } from './types';

/**
 * tcp-bulk: one connection streams `bulkBytes` as `bulkLines` huge lines, as fast as the socket
 * takes them, while the reply is read and checked at the same time. No warm-up: the figure is
 * the whole transfer, from the first byte written to the last reply byte.
 */
export async function prepareBulk(job: LoadJob, counts: WorkerCounts): Promise<LoadDriver> {
  const plan = new BulkPlan(job.bulkBytes, job.bulkLines, job.transform);
  const socket = await connectTcp(job.host, job.port, 5000);
  return {
    async run(schedule) {
      await sleepUntil(localTimes(schedule).warmEnd);
      return new Promise<void>((resolve) => {
        const started = performance.now();
        let sent = 0;
        let received = 0;
        let over = false;
        const finish = () => {
          if (over) return;
          over = true;
          clearTimeout(timer);
          counts.secs = (performance.now() - started) / 1000;
          socket.destroy();
          resolve();
        };
        const timer = setTimeout(() => {
          counts.timeouts++;
          noteProblem(counts, `tcp-bulk: ${received} of ${plan.replyTotal} reply bytes after ${job.bulkTimeoutMs} ms`);
          finish();
        }, job.bulkTimeoutMs);

        const pump = () => {
          while (sent < plan.total && !over) {
            const length = Math.min(BULK_PIECE, plan.total - sent);
            const more = socket.write(plan.request(sent, length));
            sent += length;
            if (!more) return void socket.once('drain', pump);
          }
        };
        socket.on('data', (chunk: Buffer) => {
          if (over) return;
          if (!plan.checkReply(received, chunk)) {
            counts.errors++;
            noteProblem(counts, `tcp-bulk: reply bytes from offset ${received} (${chunk.length} bytes) differ from what is owed`);
            return finish();
          }
          received += chunk.length;
          if (received < plan.replyTotal) return;
          counts.verified += plan.lineEnds.length;
          counts.ops += plan.lineEnds.length;
          counts.bytes += plan.total;
          finish();
        });
        socket.on('error', (error) => {
          if (over) return;
          counts.neterr++;
          noteProblem(counts, `tcp-bulk: ${error.message}`);
          finish();
        });
        socket.on('close', () => {
          if (over) return;
          counts.closed++;
          noteProblem(counts, `tcp-bulk: closed by the server after ${received} of ${plan.replyTotal} reply bytes`);
          finish();
        });
        if (socket.destroyed) {
          counts.closed++;
          noteProblem(counts, 'tcp-bulk: connection closed before the load started');
          return finish();
        }
        pump();
      });
    },
  };
}
