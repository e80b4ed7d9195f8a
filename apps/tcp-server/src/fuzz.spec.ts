import fc from 'fast-check';
import {
  TestPeer,
  delay,
  interestingBytes,
  modelTcpReplies,
  splitAt,
  startServer,
  type ModelTransform,
  type RunningServer,
  type TimedSegment,
} from '@sockets/testing';

// Differential fuzzing: random byte streams, cut into random pieces written with random pauses,
// go to the built server over loopback, and every byte it sends back is compared with what
// libs/testing's protocol model says it must send. The seed is fixed, so a failure reproduces.
//
// Timing is part of the input: a pause longer than --flush-ms ends an unterminated message. The
// pauses stay far from that edge (short ones are a tenth of it, long ones twice it), so a busy
// machine does not turn one into the other; a run whose short pause took too long all the same
// is repeated rather than judged.
//
// FUZZ_SEED, FUZZ_RUNS, FUZZ_MS (time limit) and FUZZ_FLUSH_MS override the defaults for a longer
// exploratory run by hand; `npm test` uses the defaults.
const FLUSH_MS = Number(process.env.FUZZ_FLUSH_MS ?? 200);
const SHORT_PAUSE_MAX_MS = Math.max(1, Math.floor(FLUSH_MS / 10));
const LONG_PAUSE_MS = 2 * FLUSH_MS;
/** Beyond this a pause meant to be short is too close to the flush interval to judge by. */
const SHORT_PAUSE_LIMIT_MS = FLUSH_MS / 2;
/** Long pauses cost the most time; a few per stream are enough to cover flushes mid-stream. */
const MAX_LONG_PAUSES = 2;
const MAX_PIECES = 16;
const REPLY_WAIT_MS = 5_000;
const ATTEMPTS = 3;
const SEED = Number(process.env.FUZZ_SEED ?? 140_014);
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const TIME_LIMIT_MS = Number(process.env.FUZZ_MS ?? 45_000);

jest.setTimeout(TIME_LIMIT_MS + 30_000);

type PauseKind = 'none' | 'short' | 'long';
interface Pause {
  kind: PauseKind;
  ms: number;
}

const pause: fc.Arbitrary<Pause> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Pause>({ kind: 'none', ms: 0 }) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: SHORT_PAUSE_MAX_MS }).map<Pause>((ms) => ({ kind: 'short', ms })) },
  { weight: 1, arbitrary: fc.constant<Pause>({ kind: 'long', ms: LONG_PAUSE_MS }) },
);

/** A stream, where it is cut (per mille of its length, so cuts shrink with it) and the pause after each piece. */
const fuzzCase = fc
  .record({
    stream: interestingBytes(48),
    cuts: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: MAX_PIECES - 1 }),
    pauses: fc.array(pause, { minLength: MAX_PIECES, maxLength: MAX_PIECES }),
  })
  .map(({ stream, cuts, pauses }) => {
    const pieces = splitAt(stream, cuts.map((perMille) => Math.floor((perMille * stream.length) / 1000)));
    let longs = 0;
    const result = pieces.map((bytes, i) => {
      const p = pauses[i].kind === 'long' && longs++ >= MAX_LONG_PAUSES ? { kind: 'none' as const, ms: 0 } : pauses[i];
      return { bytes, pause: p };
    });
    return Object.assign(result, { [fc.toStringMethod]: () => describeCase(result) });
  });

type Piece = { bytes: Buffer; pause: Pause };

const asSegments = (pieces: readonly Piece[]): TimedSegment[] =>
  pieces.map(({ bytes, pause }) => ({ bytes, pauseAfterMs: pause.ms }));

interface Outcome {
  received: Buffer;
  /** A short pause lasted long enough that the server may rightly have flushed. */
  inconclusive: boolean;
}

/** Writes the pieces on a fresh connection, half-closes, and collects every reply byte. */
async function exchange(port: number, pieces: readonly Piece[], transform: ModelTransform): Promise<Outcome> {
  const peer = await TestPeer.connect(port);
  let inconclusive = false;
  try {
    let lastWrite = performance.now();
    for (let i = 0; i < pieces.length; i++) {
      const { bytes, pause } = pieces[i];
      if (bytes.length > 0) await peer.write(bytes);
      lastWrite = performance.now();
      if (pause.kind === 'long') {
        await delay(pause.ms);
        // The flush's own reply bytes show it has happened, so the next piece cannot be mistaken
        // for part of the flushed message however slow the server was to read. If they never
        // come, the comparison below says so.
        const upToFlush = modelTcpReplies(asSegments(pieces.slice(0, i + 1)), transform, { flushMs: FLUSH_MS, halfCloseAtEnd: false });
        await peer.waitForBytes(upToFlush.length, REPLY_WAIT_MS).catch(() => undefined);
      } else {
        if (pause.ms > 0) await delay(pause.ms);
        if (performance.now() - lastWrite > SHORT_PAUSE_LIMIT_MS) inconclusive = true;
      }
    }
    peer.socket.end();
    await peer.waitForEnd(REPLY_WAIT_MS).catch(() => undefined);
    return { received: peer.received, inconclusive };
  } finally {
    peer.destroy();
  }
}

function describeCase(pieces: readonly Piece[]): string {
  return pieces.map(({ bytes, pause }) => `${bytes.toString('hex') || '(empty)'}${pause.ms ? ` +${pause.ms}ms` : ''}`).join(' | ');
}

function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return length;
}

describe('tcp-server differential fuzz against the protocol model (built program, loopback)', () => {
  const servers = new Map<ModelTransform, RunningServer>();

  beforeAll(async () => {
    const [upper, countS] = await Promise.all(
      (['upper', 'count-s'] as const).map((transform) =>
        startServer('tcp-server', ['--transform', transform, '--flush-ms', String(FLUSH_MS)]),
      ),
    );
    servers.set('upper', upper).set('count-s', countS);
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  });

  it('answers random streams, chunkings and pauses exactly as the model does, under both transforms', async () => {
    let judged = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (pieces) => {
        // Both servers at once: half the wall time, and each still sees its own connection.
        const outcomes = await Promise.all(
          (['upper', 'count-s'] as const).map(async (transform) => {
            const port = (servers.get(transform) as RunningServer).port;
            let outcome = await exchange(port, pieces, transform);
            for (let attempt = 1; attempt < ATTEMPTS && outcome.inconclusive; attempt++) {
              outcome = await exchange(port, pieces, transform);
            }
            return { transform, ...outcome };
          }),
        );
        // Stalls on every attempt: this machine cannot time the case; skip it rather than guess.
        fc.pre(outcomes.every((outcome) => !outcome.inconclusive));
        for (const { transform, received } of outcomes) {
          const expected = modelTcpReplies(asSegments(pieces), transform, { flushMs: FLUSH_MS, halfCloseAtEnd: true });
          if (!received.equals(expected)) {
            const at = firstDifference(received, expected);
            throw new Error(
              `${transform}: reply differs from the model at byte ${at}\n` +
                `  sent:     ${describeCase(pieces)}\n` +
                `  expected: ${expected.toString('hex')}\n` +
                `  received: ${received.toString('hex')}`,
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

  it('stays up after the fuzzing, with nothing logged above info', async () => {
    for (const server of servers.values()) {
      expect(server.process.exitCode).toBeNull();
      expect(server.logs.filter((line) => (line.level as number) >= 40)).toEqual([]);
    }
  });
});
