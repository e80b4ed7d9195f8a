import { Socket } from 'node:net';
import { MessageFactory } from '../payload';
import { describeMismatch } from '../verify';
import { localTimes, sleepUntil } from './connect';
import { noteProblem, type LoadDriver, type LoadJob, type WorkerCounts } from './types';

const LF = Buffer.from('\n');

interface CpmWorker {
  id: number;
  socket: Socket;
  seq: number;
  request: Buffer;
  expected: Buffer;
  got: number;
  startedAt: number;
  /** This exchange has been settled (answered, failed or timed out); waiting for 'close'. */
  settled: boolean;
  failed: boolean;
}

/**
 * tcp-cpm, the textbook's way: each of `streams` workers connects, sends one line, reads the
 * whole reply, closes, and starts over. Latency runs from the connect to the last reply byte.
 * The client closes first unless the server does (the textbook server closes after replying).
 * Each worker reconnects the same net.Socket once the previous connection has closed (Node
 * allows it after 'close'): building a fresh socket costs about a sixth of the load generator's
 * CPU per exchange, and that CPU is taken from the server on a small machine.
 */
export async function prepareCpm(job: LoadJob, counts: WorkerCounts): Promise<LoadDriver> {
  const factory = new MessageFactory(job.transform, job.size - 1);
  return {
    async run(schedule) {
      const { warmEnd, end } = localTimes(schedule);
      let finished = false;
      const workers: CpmWorker[] = [];

      const begin = (w: CpmWorker) => {
        w.seq++;
        w.request = Buffer.concat([factory.body(w.id, w.seq), LF]);
        w.expected = Buffer.concat([factory.expectedReply(w.id, w.seq), LF]);
        w.got = 0;
        w.settled = false;
        w.failed = false;
        w.startedAt = performance.now();
        w.socket.connect({ host: job.host, port: job.port, noDelay: true });
      };

      const settle = (w: CpmWorker, failed: boolean) => {
        w.settled = true;
        w.failed = failed;
        w.socket.destroy();
      };

      const setUp = (id: number): CpmWorker => {
        const w: CpmWorker = { id, socket: new Socket(), seq: -1, request: LF, expected: LF, got: 0, startedAt: 0, settled: true, failed: false };
        const { socket } = w;
        socket.on('connect', () => socket.write(w.request));
        socket.on('data', (chunk: Buffer) => {
          if (w.settled) return;
          const now = performance.now();
          const { expected, got } = w;
          if (got + chunk.length > expected.length || expected.compare(chunk, 0, chunk.length, got, got + chunk.length) !== 0) {
            counts.errors++;
            noteProblem(counts, `tcp-cpm worker ${w.id} message ${w.seq}: ${describeMismatch(Buffer.concat([expected.subarray(0, got), chunk]), expected)}`);
            return settle(w, true);
          }
          w.got += chunk.length;
          if (w.got < expected.length) return;
          counts.verified++;
          if (now >= warmEnd && now < end) {
            counts.hist.add((now - w.startedAt) * 1e6);
            counts.ops++;
            counts.bytes += w.request.length;
          }
          settle(w, false);
        });
        socket.on('end', () => {
          if (w.settled || finished) return;
          counts.closed++;
          noteProblem(counts, `tcp-cpm worker ${w.id} message ${w.seq}: closed after ${w.got} of ${w.expected.length} reply bytes`);
          settle(w, true);
        });
        socket.on('error', (error) => {
          if (w.settled || finished) return;
          counts.neterr++;
          noteProblem(counts, `tcp-cpm worker ${w.id} message ${w.seq}: ${error.message}`);
          settle(w, true);
        });
        socket.on('close', () => {
          if (finished || performance.now() >= end) return;
          // After a failure, a short pause: a refusing server is not hammered in a tight loop.
          if (w.failed) setTimeout(() => !finished && begin(w), 1);
          else begin(w);
        });
        return w;
      };

      // An exchange that hangs (a SYN lost to a full backlog is retried at 1 s, 3 s, ...) fails.
      // Scanned from setImmediate, so replies queued during a stall are read before the check.
      const scan = () => {
        if (finished) return;
        const now = performance.now();
        for (const w of workers) {
          if (w.settled || now - w.startedAt <= job.opTimeoutMs) continue;
          counts.timeouts++;
          noteProblem(counts, `tcp-cpm worker ${w.id} message ${w.seq}: no complete reply within ${job.opTimeoutMs} ms`);
          settle(w, true);
        }
      };
      const watchdog = setInterval(() => setImmediate(scan), 50);

      for (let s = 0; s < job.streams; s++) workers.push(setUp(job.firstStream + s));
      for (const w of workers) begin(w);
      await sleepUntil(end);
      finished = true;
      clearInterval(watchdog);
      counts.secs = (end - warmEnd) / 1000;
      for (const w of workers) w.socket.destroy();
    },
  };
}
