import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { ConnectionClosedError, ReplyTimeoutError, type CliError } from '@sockets/cli';
import { LineDecoder } from '@sockets/wire-codec';

const NEWLINE = Buffer.from('\n');

export interface SessionOptions {
  /** `HOST:PORT` as the user named it, for error messages. */
  where: string;
  /** How long the oldest unanswered message may wait for its reply to start or go on. */
  timeoutMs: number;
  /** Where replies are printed, one per line. */
  output: Writable;
}

/**
 * The client's side of one connection: messages go out as lines, as fast as the socket takes
 * them (many in flight), and replies come back in the same order and are printed as they
 * complete. The first failure (reply timeout, peer closed or reset with replies owed) is kept
 * and reported once, through `failed` and every later call.
 */
export class Session {
  sent = 0;
  received = 0;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private rejectFailed!: (error: CliError) => void;
  private failure: CliError | undefined;
  private peerGone = false;
  private readonly parts: Buffer[] = [];
  private readonly decoder = new LineDecoder({
    onFragment: (src, start, end) => this.parts.push(Buffer.from(src.subarray(start, end))),
    onEnd: () => this.onReply(),
  });
  private timer: NodeJS.Timeout | undefined;
  private outputBlocked = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly socket: Socket,
    private readonly options: SessionOptions,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    // Callers race against `failed` only while they wait; a failure between waits is kept.
    this.failed.catch(() => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      // Part of a long reply is progress too.
      this.timer?.refresh();
    });
    socket.on('end', () => {
      // A reply cut short by the close is still what the server sent.
      this.decoder.flush();
      this.onPeerGone('closed by');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.onPeerGone(describeLoss(error)));
    socket.on('close', () => this.onPeerGone('closed by'));
  }

  /** Whether the connection can take another message (false once the server has gone). */
  get open(): boolean {
    return !this.peerGone && !this.failure;
  }

  /** Sends one message; resolves when the socket will take more (write backpressure). */
  async send(message: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent++;
    if (this.peerGone) throw this.fail(this.closedError('closed by'));
    this.armTimer();
    this.socket.cork();
    this.socket.write(message);
    const more = this.socket.write(NEWLINE);
    this.socket.uncork();
    if (!more) await Promise.race([new Promise((resolve) => this.socket.once('drain', resolve)), this.failed]);
  }

  /** Resolves once every message sent so far has its reply. */
  answered(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.received >= this.sent) return Promise.resolve();
    return Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), this.failed]);
  }

  /** No more messages: the server answers what is owed and then closes its side. */
  end(): void {
    if (this.open) this.socket.end();
  }

  close(): void {
    this.clearTimer();
    this.socket.destroy();
  }

  private onReply(): void {
    const reply = Buffer.concat([...this.parts.splice(0), NEWLINE]);
    this.received++;
    if (!this.options.output.write(reply) && !this.outputBlocked) {
      // A slow reader of stdout slows the socket down rather than filling memory; the wait is
      // ours, not the server's, so the reply clock stops meanwhile.
      this.outputBlocked = true;
      this.socket.pause();
      this.clearTimer();
      this.options.output.once('drain', () => {
        this.outputBlocked = false;
        this.socket.resume();
        this.armTimer();
      });
    }
    if (this.received >= this.sent) {
      this.clearTimer();
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  private onPeerGone(how: string): void {
    if (this.peerGone) return;
    this.peerGone = true;
    if (this.received < this.sent) this.fail(this.closedError(how));
    else this.clearTimer();
  }

  private closedError(how: string): CliError {
    return new ConnectionClosedError(`connection ${how} ${this.options.where} after ${this.received} of ${this.sent} replies`);
  }

  private armTimer(): void {
    if (this.timer || this.outputBlocked || this.received >= this.sent) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fail(
        new ReplyTimeoutError(
          `no reply from ${this.options.where} within ${this.options.timeoutMs} ms (${this.received} of ${this.sent} replies received)`,
        ),
      );
    }, this.options.timeoutMs);
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(error: CliError): CliError {
    if (this.failure) return this.failure;
    this.failure = error;
    this.clearTimer();
    this.socket.destroy();
    this.rejectFailed(error);
    return error;
  }
}

/** How a connection error reads in `connection ... HOST:PORT after N of M replies`. */
function describeLoss(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNRESET':
      return 'reset by';
    case 'EPIPE':
      return 'closed by';
    default:
      return `lost (${error.code ?? error.message}) with`;
  }
}
