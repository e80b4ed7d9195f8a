import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { MessageFactory, readCount, readReplyId } from '../payload';
import { describeMismatch } from '../verify';
import { localTimes, sleepUntil } from './connect';
import { noteProblem, type LoadDriver, type LoadJob, type WorkerCounts } from './types';

interface UdpStream {
  id: number;
  socket: Socket;
  /** Per slot: the request buffer (reused once its reply is in), its seq, send time, state. */
  tx: Buffer[];
  seq: Float64Array;
  sentAt: Float64Array;
  busy: Uint8Array;
}

/**
 * udp-rr: each connected socket keeps `window` requests outstanding. Slot q sends seqs q, q+W,
 * q+2W, ... so an upper-case reply's identity names its slot; a count-s reply (seq mod 32) is
 * given to the oldest outstanding slot with that count. A request unanswered after
 * `udpTimeoutMs` is a loss, and the slot moves on to a new seq so a late reply cannot match.
 */
export async function prepareUdp(job: LoadJob, counts: WorkerCounts): Promise<LoadDriver> {
  const W = job.window;
  const factory = new MessageFactory(job.transform, job.size);
  if (job.transform === 'count-s' && W > factory.countCycle) {
    throw new Error(`count-s over UDP needs a window of at most ${factory.countCycle}`);
  }
  const streams: UdpStream[] = [];
  for (let s = 0; s < job.streams; s++) {
    const socket = createSocket({ type: isIPv6(job.host) ? 'udp6' : 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(job.port, job.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    streams.push({
      id: job.firstStream + s,
      socket,
      tx: Array.from({ length: W }, () => Buffer.alloc(job.size)),
      // Slot q's first request is seq q.
      seq: Float64Array.from({ length: W }, (_, q) => q - W),
      sentAt: new Float64Array(W),
      busy: new Uint8Array(W),
    });
  }
  const scratch = Buffer.alloc(job.size);

  return {
    async run(schedule) {
      const { warmEnd, end } = localTimes(schedule);
      let finished = false;
      const send = (u: UdpStream, q: number, now: number) => {
        const seq = u.seq[q] + W;
        factory.writeBody(u.tx[q], 0, u.id, seq);
        u.seq[q] = seq;
        u.sentAt[q] = now;
        u.busy[q] = 1;
        u.socket.send(u.tx[q]);
      };

      const slotOf = (u: UdpStream, reply: Buffer): number => {
        if (job.transform === 'upper') {
          const id = readReplyId(reply);
          if (!id || id.stream !== u.id) return -2;
          const q = id.seq % W;
          return u.busy[q] === 1 && u.seq[q] === id.seq ? q : -1;
        }
        const count = readCount(reply);
        if (count === undefined) return -2;
        let best = -1;
        for (let q = 0; q < W; q++) {
          if (u.busy[q] === 1 && u.seq[q] % factory.countCycle === count && (best < 0 || u.seq[q] < u.seq[best])) best = q;
        }
        return best;
      };

      const oldestExpected = (u: UdpStream): Buffer => {
        let oldest = -1;
        for (let q = 0; q < W; q++) if (u.busy[q] === 1 && (oldest < 0 || u.seq[q] < u.seq[oldest])) oldest = q;
        return oldest < 0 ? Buffer.alloc(0) : factory.expectedReply(u.id, u.seq[oldest]);
      };

      for (const u of streams) {
        u.socket.on('message', (reply: Buffer) => {
          if (finished) return;
          const now = performance.now();
          const q = slotOf(u, reply);
          if (q === -1) {
            counts.late++;
            return;
          }
          let wrong: string | undefined;
          if (q === -2) wrong = `names no request sent; against the oldest outstanding one: ${describeMismatch(reply, oldestExpected(u))}`;
          else if (job.transform === 'upper') {
            factory.writeExpected(scratch, u.id, u.seq[q]);
            if (reply.length !== scratch.length || scratch.compare(reply) !== 0) wrong = describeMismatch(reply, scratch);
          } else {
            wrong = describeMismatch(reply, factory.expectedReply(u.id, u.seq[q]));
          }
          if (wrong !== undefined) {
            counts.errors++;
            noteProblem(counts, `udp socket ${u.id}${q >= 0 ? ` seq ${u.seq[q]}` : ''}: ${wrong}`);
            // The slot is left to time out: a wrong reply is not an answer.
            return;
          }
          u.busy[q] = 0;
          counts.verified++;
          if (now >= warmEnd && now < end) {
            counts.hist.add((now - u.sentAt[q]) * 1e6);
            counts.ops++;
            counts.bytes += job.size;
          }
          if (now < end) send(u, q, now);
        });
        u.socket.on('error', (error) => {
          if (finished) return;
          counts.neterr++;
          noteProblem(counts, `udp socket ${u.id}: ${error.message}`);
        });
      }

      // Timers run before I/O in each turn of the event loop: after a stall (this VM can lose
      // 200 ms to the hypervisor) replies already queued would be declared lost. Scanning from
      // setImmediate lets that turn's I/O be read first.
      const scan = () => {
        if (finished) return;
        const now = performance.now();
        for (const u of streams) {
          for (let q = 0; q < W; q++) {
            if (u.busy[q] !== 1 || now - u.sentAt[q] <= job.udpTimeoutMs) continue;
            counts.lost++;
            noteProblem(counts, `udp socket ${u.id} seq ${u.seq[q]}: no reply within ${job.udpTimeoutMs} ms`);
            u.busy[q] = 0;
            if (now < end) send(u, q, now);
          }
        }
      };
      const watchdog = setInterval(() => setImmediate(scan), Math.min(20, job.udpTimeoutMs / 4));

      const start = performance.now();
      for (const u of streams) for (let q = 0; q < W; q++) send(u, q, start);
      await sleepUntil(end);
      finished = true;
      clearInterval(watchdog);
      counts.secs = (end - warmEnd) / 1000;
      for (const u of streams) u.socket.close();
    },
  };
}
