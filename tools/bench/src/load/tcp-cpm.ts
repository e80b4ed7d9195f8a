import { connect, type Socket } from 'node:net';
import { MessageFactory } from '../payload';
import { describeMismatch } from '../verify';
import { localTimes, sleepUntil } from './connect';
import { noteProblem, type LoadDriver, type LoadJob, type WorkerCounts } from './types';

const LF = Buffer.from('\n');

/**
 * tcp-cpm, the textbook's way: each of `streams` workers connects, sends one line, reads the
 * whole reply, closes, and starts over. Latency runs from the connect to the last reply byte.
 * The client closes first unless the server does (the textbook server closes after replying).
 */
export async function prepareCpm(job: LoadJob, counts: WorkerCounts): Promise<LoadDriver> {
  const factory = new MessageFactory(job.transform, job.size - 1);
  return {
    async run(schedule) {
      const { warmEnd, end } = localTimes(schedule);
      let finished = false;
      const live = new Set<{ socket: Socket; startedAt: number; id: number; seq: number; over: boolean }>();

      const exchange = (id: number, seq: number): void => {
        if (finished || performance.now() >= end) return;
        const request = Buffer.concat([factory.body(id, seq), LF]);
        const expected = Buffer.concat([factory.expectedReply(id, seq), LF]);
        const op = { socket: connect({ host: job.host, port: job.port, noDelay: true }), startedAt: performance.now(), id, seq, over: false };
        live.add(op);
        let got = 0;
        const next = () => {
          op.over = true;
          live.delete(op);
          op.socket.destroy();
          exchange(id, seq + 1);
        };
        op.socket.on('connect', () => op.socket.write(request));
        op.socket.on('data', (chunk: Buffer) => {
          if (op.over) return;
          const now = performance.now();
          if (got + chunk.length > expected.length || expected.compare(chunk, 0, chunk.length, got, got + chunk.length) !== 0) {
            counts.errors++;
            const received = Buffer.concat([expected.subarray(0, got), chunk]);
            noteProblem(counts, `tcp-cpm worker ${id} message ${seq}: ${describeMismatch(received, expected)}`);
            return next();
          }
          got += chunk.length;
          if (got < expected.length) return;
          counts.verified++;
          if (now >= warmEnd && now < end) {
            counts.hist.add((now - op.startedAt) * 1e6);
            counts.ops++;
            counts.bytes += request.length;
          }
          next();
        });
        op.socket.on('end', () => {
          if (op.over || finished) return;
          counts.closed++;
          noteProblem(counts, `tcp-cpm worker ${id} message ${seq}: closed after ${got} of ${expected.length} reply bytes`);
          next();
        });
        op.socket.on('error', (error) => {
          if (op.over || finished) return;
          counts.neterr++;
          noteProblem(counts, `tcp-cpm worker ${id} message ${seq}: ${error.message}`);
          // Back off a little so a refusing server is not hammered in a tight loop.
          op.over = true;
          live.delete(op);
          op.socket.destroy();
          setTimeout(() => exchange(id, seq + 1), 1).unref();
        });
      };

      // An exchange that hangs (a SYN lost to a full backlog is retried at 1 s, 3 s, ...) fails.
      // From setImmediate, so that replies queued during a stall are read before the check.
      const scan = () => {
        if (finished) return;
        const now = performance.now();
        for (const op of live) {
          if (now - op.startedAt <= job.opTimeoutMs) continue;
          counts.timeouts++;
          noteProblem(counts, `tcp-cpm worker ${op.id} message ${op.seq}: no complete reply within ${job.opTimeoutMs} ms`);
          op.over = true;
          live.delete(op);
          op.socket.destroy();
          exchange(op.id, op.seq + 1);
        }
      };
      const watchdog = setInterval(() => setImmediate(scan), 50);

      for (let s = 0; s < job.streams; s++) exchange(job.firstStream + s, 0);
      await sleepUntil(end);
      finished = true;
      clearInterval(watchdog);
      counts.secs = (end - warmEnd) / 1000;
      for (const op of live) op.socket.destroy();
    },
  };
}
