import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import {
  MODEL_MAX_UDP_PAYLOAD,
  interestingBytes,
  largeBytes,
  modelUdpReply,
  startServer,
  type ModelTransform,
  type RunningServer,
} from '@sockets/testing';

// Differential fuzzing: random datagrams, small and near the size limit, go to the built server
// over loopback, and each reply (or its absence) is compared with libs/testing's protocol model.
// The seed is fixed, so a failure reproduces.
//
// That no reply comes is shown, not waited out: a small sentinel datagram follows each one from
// the same socket, and the server answers in order, so once the sentinel's reply is in, every
// reply owed before it is too. Loopback may still drop a datagram on a busy machine; a missing
// reply or sentinel is retried on a fresh socket a bounded number of times before it counts.
//
// FUZZ_SEED, FUZZ_RUNS and FUZZ_MS (time limit) override the defaults for a longer exploratory
// run by hand; `npm test` uses the defaults.
const SEED = Number(process.env.FUZZ_SEED ?? 140_015);
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const TIME_LIMIT_MS = Number(process.env.FUZZ_MS ?? 30_000);
const ATTEMPTS = 3;
const WAIT_MS = 3_000;
/** What a client may send over IPv4; over IPv6 a reply may be 20 bytes larger than over IPv4. */
const MAX_SEND = MODEL_MAX_UDP_PAYLOAD.ipv4;

jest.setTimeout(TIME_LIMIT_MS + 30_000);

const datagram = fc.oneof(
  { weight: 6, arbitrary: interestingBytes(48) },
  // Near the limit, where a reply that grows (ß stays 2 bytes, ΐ goes from 2 to 6) may not fit.
  { weight: 2, arbitrary: largeBytes(MAX_SEND - 64, MAX_SEND) },
  { weight: 1, arbitrary: largeBytes(1, MAX_SEND) },
  // A counterexample of 64 KiB printed in full would bury the report.
).map((bytes) => Object.assign(bytes, { [fc.toStringMethod]: () => describeBytes(bytes) }));

interface Target {
  name: string;
  server: RunningServer;
  host: string;
  transform: ModelTransform;
  maxPayload: number;
}

let sentinels = 0;

/** A sentinel whose reply cannot be mistaken for the reply to `message`. */
function sentinelFor(transform: ModelTransform, expected: Buffer | undefined): Buffer {
  if (transform === 'upper') return Buffer.from(`sentinel ${++sentinels} ${process.pid}`);
  return Buffer.from(expected?.toString('latin1') === '1' ? 'ss' : 's');
}

/**
 * Sends `message` then a sentinel, and returns the replies that came before the sentinel's, or
 * undefined if the sentinel's reply never came.
 */
function exchangeOnce(target: Target, message: Buffer, sentinel: Buffer): Promise<Buffer[] | undefined> {
  const sentinelReply = modelUdpReply(sentinel, target.transform) as Buffer;
  const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
  const replies: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const finish = (result: Buffer[] | undefined, error?: Error) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(undefined), WAIT_MS);
    socket.on('message', (reply: Buffer) => {
      if (reply.equals(sentinelReply)) finish(replies);
      else replies.push(reply);
    });
    socket.once('error', (error) => finish(undefined, error));
    socket.send(message, target.server.port, target.host);
    socket.send(sentinel, target.server.port, target.host);
  });
}

/** The replies to `message`, retrying where a datagram may have been lost. */
async function exchange(target: Target, message: Buffer): Promise<Buffer[]> {
  const expected = modelUdpReply(message, target.transform, target.maxPayload);
  let replies: Buffer[] | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    replies = await exchangeOnce(target, message, sentinelFor(target.transform, expected));
    // A reply where none is owed is never a loss: no retry can excuse it.
    if (replies && (replies.length > 0 || expected === undefined)) return replies;
  }
  if (!replies) throw new Error(`${target.name}: not even the sentinel was answered in ${ATTEMPTS} attempts`);
  return replies;
}

function describeBytes(bytes: Buffer): string {
  return bytes.length <= 96 ? bytes.toString('hex') : `${bytes.length} bytes, ending ${bytes.subarray(-48).toString('hex')}`;
}

describe('udp-server differential fuzz against the protocol model (built program, loopback)', () => {
  const targets: Target[] = [];

  beforeAll(async () => {
    const specs = [
      { name: 'upper over IPv4', host: '127.0.0.1', transform: 'upper', maxPayload: MODEL_MAX_UDP_PAYLOAD.ipv4 },
      { name: 'count-s over IPv4', host: '127.0.0.1', transform: 'count-s', maxPayload: MODEL_MAX_UDP_PAYLOAD.ipv4 },
      { name: 'upper over IPv6', host: '::1', transform: 'upper', maxPayload: MODEL_MAX_UDP_PAYLOAD.ipv6 },
    ] as const;
    const servers = await Promise.all(
      specs.map((spec) => startServer('udp-server', ['--host', spec.host, '--transform', spec.transform])),
    );
    specs.forEach((spec, i) => targets.push({ ...spec, server: servers[i] }));
  });
  afterAll(async () => {
    await Promise.all(targets.map((target) => target.server.stop()));
  });

  it('answers random datagrams exactly as the model does, and sends nothing the model does not', async () => {
    let judged = 0;
    await fc.assert(
      fc.asyncProperty(datagram, async (message) => {
        const results = await Promise.all(targets.map(async (target) => ({ target, replies: await exchange(target, message) })));
        for (const { target, replies } of results) {
          const expected = modelUdpReply(message, target.transform, target.maxPayload);
          const got = replies.map(describeBytes);
          const want = expected ? [describeBytes(expected)] : [];
          if (replies.length !== want.length || (expected && !replies[0].equals(expected))) {
            throw new Error(
              `${target.name}: replies differ from the model\n` +
                `  sent:     ${describeBytes(message)}\n` +
                `  expected: ${JSON.stringify(want)}\n` +
                `  received: ${JSON.stringify(got)}`,
            );
          }
        }
        judged++;
      }),
      { seed: SEED, numRuns: NUM_RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
    // The time limit may cut the run short on a slow machine, but never to nothing.
    expect(judged).toBeGreaterThan(0);
  });

  it('stays up, warning only about replies too large to send', () => {
    for (const { server } of targets) {
      expect(server.process.exitCode).toBeNull();
      const warnings = server.logs.filter((line) => (line.level as number) >= 40);
      expect(warnings.filter((line) => line.msg !== 'reply too large for one datagram, not sent')).toEqual([]);
    }
  });
});
