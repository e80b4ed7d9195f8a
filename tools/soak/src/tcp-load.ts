import type { Socket } from 'node:net';
import { connectTcp, errorCode } from '@sockets/runtime';
import { delay, type ModelTransform } from '@sockets/testing';
import { noteProblem, type Counters } from './counters';
import type { Payload, PayloadPools } from './payloads';
import { ReplyChecker } from './reply-checker';
import type { Rng } from './rng';

export interface TcpLoadContext {
  ports: Record<ModelTransform, number>;
  pools: PayloadPools;
  counters: Counters;
  flushMs: number;
  /** False once the duration is over: actors finish what they owe and stop. */
  running(): boolean;
  /** Every socket still open, so a run that overstays can be cut short. */
  sockets: Set<Socket>;
}

/** How long a connection may take to answer everything it owes. */
export const REPLY_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;


/** A connection to `port` (soak.ts keeps it in `ctx.sockets` until it closes). */
async function open(ctx: TcpLoadContext, port: number): Promise<Socket> {
  const socket = await connectTcp('127.0.0.1', port, CONNECT_TIMEOUT_MS);
  ctx.counters.connects++;
  return socket;
}

/**
 * A connection whose every reply byte is checked against what its payloads owe. A mismatch, an
 * error or an early close ends it and is counted; the actor then opens a new one.
 */
class CheckedConnection {
  private readonly checker = new ReplyChecker();
  private wake: (() => void) | undefined;
  /** Why the connection is of no further use, if it is not. */
  failed: string | undefined;
  closed = false;
  ended = false;
  /** Set before a close the actor causes, so it is not taken for a failure. */
  private leaving = false;

  constructor(
    readonly socket: Socket,
    private readonly ctx: TcpLoadContext,
    private readonly label: string,
  ) {
    const tcp = ctx.counters.tcp;
    socket.on('data', (chunk: Buffer) => {
      if (this.failed) return;
      const { answered, mismatch } = this.checker.receive(chunk);
      tcp.answered += answered;
      if (mismatch) {
        tcp.mismatches++;
        noteProblem(ctx.counters, `${label}: reply differs at byte ${mismatch.offset} of a reply: expected ${mismatch.expected}, received ${mismatch.received}`);
        this.fail('mismatch');
        socket.destroy();
      }
      this.wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.leaving || this.failed) return;
      tcp.errors++;
      noteProblem(ctx.counters, `${label}: ${errorCode(error)}`);
      this.fail(errorCode(error));
    });
    socket.on('close', () => {
      this.closed = true;
      if (!this.leaving && !this.failed && this.checker.owedCount > 0) {
        tcp.errors++;
        noteProblem(ctx.counters, `${label}: closed by the server with ${this.checker.owedCount} replies owed`);
        this.fail('closed early');
      }
      this.wake?.();
    });
  }

  get healthy(): boolean {
    return !this.failed && !this.closed;
  }

  private fail(reason: string): void {
    this.failed ??= reason;
    // What it owed will never be judged now: count it once, as lost.
    this.ctx.counters.tcp.lost += reason === 'mismatch' ? 0 : this.checker.owedCount;
  }

  /** Queues the payload's replies; the bytes are the caller's to write. */
  owe(payload: Payload, transform: ModelTransform): void {
    this.ctx.counters.tcp.sent += payload.messages;
    this.ctx.counters.tcp.answered += this.checker.expect(payload.replies[transform], payload.messages);
  }

  /** Writes, waiting for 'drain' when the socket's buffer is full (the server applies backpressure). */
  async write(bytes: Buffer): Promise<void> {
    if (!this.healthy || bytes.length === 0) return;
    if (this.socket.write(bytes)) return;
    await this.until(() => !this.socket.writableNeedDrain, REPLY_TIMEOUT_MS, 'drain');
  }

  /** Waits until every owed reply has come, or the connection fails, or `timeoutMs` passes. */
  async settled(timeoutMs = REPLY_TIMEOUT_MS): Promise<void> {
    await this.until(() => this.checker.done, timeoutMs, 'replies');
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve) => {
      const onDrain = () => check();
      const finish = () => {
        clearTimeout(timer);
        this.socket.off('drain', onDrain);
        this.wake = undefined;
        resolve();
      };
      const check = () => {
        if (done() || !this.healthy) finish();
      };
      const timer = setTimeout(() => {
        if (this.healthy) {
          this.ctx.counters.tcp.errors++;
          noteProblem(this.ctx.counters, `${this.label}: waited ${timeoutMs} ms for ${what}; ${this.checker.owedCount} replies owed`);
          this.fail('timeout');
          this.socket.destroy();
        }
        finish();
      }, timeoutMs);
      this.socket.on('drain', onDrain);
      this.wake = check;
      check();
    });
  }

  /** Half-closes and waits for the server's end: every reply owed must come first. */
  async close(): Promise<void> {
    if (!this.healthy) return this.drop();
    this.socket.end();
    await this.until(() => this.ended && this.checker.done, REPLY_TIMEOUT_MS, 'the end of the stream');
    if (!this.failed) this.ctx.counters.gracefulCloses++;
    this.drop();
  }

  /** Closes without judging what is still owed, which the caller has counted already. */
  drop(): void {
    this.leaving = true;
    this.socket.destroy();
  }

  /** Gives up on what this connection still owes without calling it lost. */
  abandon(): void {
    this.ctx.counters.tcp.skipped += this.checker.owedCount;
    this.drop();
  }
}

function transformOf(index: number): ModelTransform {
  return index % 2 === 0 ? 'upper' : 'count-s';
}

/** A connection to the server of `transform`, or, on a failure counted as an error, a pause and nothing. */
async function openOrBackOff(ctx: TcpLoadContext, transform: ModelTransform, label: string, backOffMs = 500): Promise<Socket | undefined> {
  try {
    return await open(ctx, ctx.ports[transform]);
  } catch (error) {
    ctx.counters.tcp.errors++;
    noteProblem(ctx.counters, `${label}: connect: ${errorCode(error)}`);
    await delay(backOffMs);
    return undefined;
  }
}

/** Batches of whole lines written back to back, then every reply awaited; now and then a fresh connection. */
export async function pipelinedActor(ctx: TcpLoadContext, index: number, rng: Rng): Promise<void> {
  const transform = transformOf(index);
  const label = `tcp ${transform} pipelined #${index}`;
  while (ctx.running()) {
    const socket = await openOrBackOff(ctx, transform, label);
    if (!socket) continue;
    const connection = new CheckedConnection(socket, ctx, label);
    const batches = rng.int(1, 40);
    for (let b = 0; b < batches && ctx.running() && connection.healthy; b++) {
      const size = rng.int(1, 32);
      for (let i = 0; i < size && connection.healthy; i++) {
        const payload = rng.pick(ctx.pools.lines);
        connection.owe(payload, transform);
        await connection.write(payload.bytes);
      }
      await connection.settled();
      await delay(rng.int(0, 20));
    }
    await connection.close();
  }
}

/**
 * Lines written a few bytes at a time with short pauses, and now and then a message with no
 * terminator, left for the idle flush to end. A pause that ran long (a stalled machine) would
 * let the server flush where the model does not: such a message is not judged.
 */
export async function slowWriterActor(ctx: TcpLoadContext, index: number, rng: Rng): Promise<void> {
  const transform = transformOf(index);
  const label = `tcp ${transform} slow writer #${index}`;
  const maxGapMs = Math.max(1, Math.floor(ctx.flushMs / 50));
  while (ctx.running()) {
    const socket = await openOrBackOff(ctx, transform, label);
    if (!socket) continue;
    const connection = new CheckedConnection(socket, ctx, label);
    let judged = true;
    for (let m = rng.int(1, 20); m > 0 && ctx.running() && connection.healthy && judged; m--) {
      const flush = rng.chance(0.3);
      const payload = rng.pick(flush ? ctx.pools.unterminated : ctx.pools.slowLines);
      connection.owe(payload, transform);
      let last = performance.now();
      for (let at = 0; at < payload.bytes.length && connection.healthy; ) {
        const next = Math.min(payload.bytes.length, at + rng.int(1, 16));
        await connection.write(payload.bytes.subarray(at, next));
        at = next;
        const now = performance.now();
        if (now - last > ctx.flushMs / 2) judged = false;
        last = now;
        if (at < payload.bytes.length) await delay(rng.int(0, maxGapMs));
      }
      if (!judged) break;
      if (flush) {
        // Twice the interval: the flush has surely come before the next message starts.
        await delay(2 * ctx.flushMs);
        ctx.counters.flushes++;
      }
      await connection.settled();
    }
    if (judged) await connection.close();
    else connection.abandon();
  }
}

/** Connects and sends nothing; the server's idle timeout closes it, and it connects again. */
export async function idleActor(ctx: TcpLoadContext, index: number, stopped: Promise<void>): Promise<void> {
  const transform = transformOf(index);
  while (ctx.running()) {
    const socket = await openOrBackOff(ctx, transform, `tcp idle #${index}`);
    if (!socket) continue;
    let closedByServer = false;
    const closed = new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.once('end', () => (closedByServer = true));
      socket.on('error', () => (closedByServer = true));
    });
    socket.resume();
    await Promise.race([closed, stopped]);
    if (closedByServer) ctx.counters.idleCloses++;
    socket.destroy();
  }
}

/** Opens connections that send part of a message and then reset, `perSecond` of them a second. */
export async function resetActor(ctx: TcpLoadContext, perSecond: number, rng: Rng): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const one = async () => {
    const transform = rng.chance(0.5) ? 'upper' : 'count-s';
    const socket = await openOrBackOff(ctx, transform, 'tcp reset', 0);
    if (!socket) return;
    socket.on('error', () => undefined);
    socket.resume();
    const payload = rng.pick(ctx.pools.lines).bytes;
    socket.write(payload.subarray(0, rng.int(0, payload.length)));
    await delay(rng.int(0, 30));
    socket.resetAndDestroy();
    ctx.counters.resets++;
  };
  while (ctx.running()) {
    // Bounded: a stalled server must not make this open sockets without end.
    if (inFlight.size < 64) {
      const task = one().finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await delay(1000 / perSecond);
  }
  await Promise.all(inFlight);
}
