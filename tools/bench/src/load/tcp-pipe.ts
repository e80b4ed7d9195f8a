import type { Socket } from 'node:net';
import { MessageFactory } from '../payload';
import { ReplyStreamChecker } from '../verify';
import { connectTcp } from '@sockets/runtime';
import { localTimes, sleepUntil } from './connect';
import { noteProblem, type LoadDriver, type LoadJob, type WorkerCounts } from './types';

/** Distinct lines per connection before the text repeats; far more than are ever in flight. */
const CYCLE_LINES = 256;

interface PipeConnection {
  id: number;
  socket: Socket;
  /** The request cycle twice over, so any run of up to a cycle of lines is one view. */
  requests: Buffer;
  checker: ReplyStreamChecker;
  sent: number;
  /** When each in-flight line was written, by line number modulo the window. */
  sentAt: Float64Array;
  done: boolean;
}

/**
 * tcp-pipe: each connection keeps `window` lines in flight. The hot path per chunk read is one
 * compare against the precomputed replies, a histogram entry per completed line, and one write
 * of as many lines as were answered (a view of the precomputed requests, no copy).
 */
export async function preparePipe(job: LoadJob, counts: WorkerCounts): Promise<LoadDriver> {
  const factory = new MessageFactory(job.transform, job.size - 1);
  const cycle = Math.max(CYCLE_LINES, job.window);
  const L = job.size;
  const W = job.window;
  const connections: PipeConnection[] = [];
  try {
    for (let s = 0; s < job.streams; s++) {
      const id = job.firstStream + s;
      const cycleBytes = Buffer.allocUnsafe(cycle * L);
      const replies: Buffer[] = [];
      for (let seq = 0; seq < cycle; seq++) {
        factory.writeBody(cycleBytes, seq * L, id, seq);
        cycleBytes[seq * L + L - 1] = 0x0a;
        replies.push(Buffer.concat([factory.expectedReply(id, seq), Buffer.from('\n')]));
      }
      const socket = await connectTcp(job.host, job.port, 5000);
      connections.push({
        id,
        socket,
        requests: Buffer.concat([cycleBytes, cycleBytes]),
        checker: new ReplyStreamChecker(replies),
        sent: 0,
        sentAt: new Float64Array(W),
        done: false,
      });
    }
  } catch (error) {
    for (const c of connections) c.socket.destroy();
    throw error;
  }

  return {
    async run(schedule) {
      const { warmEnd, end } = localTimes(schedule);
      const hist = counts.hist;
      let finished = false;

      const send = (c: PipeConnection, lines: number, now: number) => {
        const from = (c.sent % cycle) * L;
        c.socket.write(c.requests.subarray(from, from + lines * L));
        for (let k = 0; k < lines; k++) c.sentAt[(c.sent + k) % W] = now;
        c.sent += lines;
      };

      for (const c of connections) {
        c.socket.on('data', (chunk: Buffer) => {
          if (c.done) return;
          const now = performance.now();
          const before = c.checker.completed;
          const done = c.checker.feed(chunk, c.sent - before);
          if (done < 0) {
            counts.errors++;
            noteProblem(counts, `tcp-pipe connection ${c.id}: ${c.checker.mismatch}`);
            c.done = true;
            c.socket.destroy();
            return;
          }
          if (done === 0) return;
          counts.verified += done;
          if (now >= warmEnd && now < end) {
            for (let k = 0; k < done; k++) hist.add((now - c.sentAt[(before + k) % W]) * 1e6);
            counts.ops += done;
            counts.bytes += done * L;
          }
          if (now < end) send(c, done, now);
        });
        c.socket.on('error', (error) => {
          if (finished || c.done) return;
          counts.neterr++;
          noteProblem(counts, `tcp-pipe connection ${c.id}: ${error.message}`);
        });
        c.socket.on('close', () => {
          if (finished || c.done) return;
          c.done = true;
          counts.closed++;
          noteProblem(counts, `tcp-pipe connection ${c.id}: closed by the server after ${c.checker.completed} replies`);
        });
      }
      const start = performance.now();
      for (const c of connections) {
        if (c.socket.destroyed) {
          c.done = true;
          counts.closed++;
          noteProblem(counts, `tcp-pipe connection ${c.id}: closed before the load started`);
        } else send(c, W, start);
      }
      await sleepUntil(end);
      finished = true;
      counts.secs = (end - warmEnd) / 1000;
      for (const c of connections) c.socket.destroy();
    },
  };
}
