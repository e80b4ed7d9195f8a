import { createSocket, type Socket } from 'node:dgram';
import { errorCode } from '@sockets/runtime';
import type { ModelTransform } from '@sockets/testing';
import { noteProblem, type Counters } from './counters';
import type { PayloadPools } from './payloads';
import type { Rng } from './rng';

export interface UdpLoadContext {
  ports: Record<ModelTransform, number>;
  pools: PayloadPools;
  counters: Counters;
  timeoutMs: number;
  running(): boolean;
}

/**
 * One datagram at a time from one socket, each reply checked against the model. After a loss
 * the socket is replaced, so that a reply arriving late is never taken for the next one's.
 */
export async function udpActor(ctx: UdpLoadContext, index: number, rng: Rng): Promise<void> {
  const transform: ModelTransform = index % 2 === 0 ? 'upper' : 'count-s';
  const label = `udp ${transform} #${index}`;
  const udp = ctx.counters.udp;
  let socket: Socket | undefined;
  let waiting: ((reply: Buffer | undefined) => void) | undefined;
  const fresh = (): Socket => {
    const s = createSocket('udp4');
    s.on('message', (reply: Buffer) => {
      if (waiting) waiting(reply);
      else {
        udp.mismatches++;
        noteProblem(ctx.counters, `${label}: a reply nobody waited for (${reply.length} bytes)`);
      }
    });
    s.on('error', (error: NodeJS.ErrnoException) => {
      udp.errors++;
      noteProblem(ctx.counters, `${label}: ${errorCode(error)}`);
    });
    return s;
  };
  while (ctx.running()) {
    socket ??= fresh();
    const payload = rng.pick(ctx.pools.datagrams);
    const expected = payload.replies[transform];
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => done(undefined), ctx.timeoutMs);
      const done = (value: Buffer | undefined) => {
        clearTimeout(timer);
        waiting = undefined;
        resolve(value);
      };
      waiting = done;
      udp.sent++;
      (socket as Socket).send(payload.bytes, ctx.ports[transform], '127.0.0.1');
    });
    if (reply === undefined) {
      udp.lost++;
      socket.close();
      socket = undefined;
    } else if (reply.equals(expected)) {
      udp.answered++;
    } else {
      udp.mismatches++;
      noteProblem(ctx.counters, `${label}: ${payload.bytes.length}-byte datagram answered with ${reply.length} bytes, expected ${expected.length}`);
    }
  }
  socket?.close();
}
