import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { maxReplyBytes } from '@sockets/transform';
import { LineDecoder, type Terminator } from '@sockets/wire-codec';
import {
  chooseInputMode,
  clientChannels,
  type ClientIo,
  connectTcp,
  ConnectionClosedError,
  formatAddress,
  plural,
  promptLines,
  readLines,
  ReplyTimeoutError,
  ReplyTooLongError,
  UnaskedReplyError,
  type ReplyMessage,
  type SendMessage,
  type SocketsError,
  type TcpGaveUpMessage,
  type TcpPeerClosedMessage,
  type TcpProgressMessage,
} from '@sockets/runtime';

const NEWLINE = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');
const CR = 0x0d;
const TERMINATOR_BYTES: Record<Terminator, Buffer> = { lf: NEWLINE, crlf: CRLF, none: Buffer.alloc(0) };
/** How long the client waits, after the last reply, for the server to close its side. */
const CLOSE_WAIT_MS = 500;
/**
 * The least average rate, in bytes a second, of a reply that has been arriving for `timeoutMs`:
 * a server that drips its reply a byte at a time cannot hold the client for ever.
 */
const MIN_REPLY_RATE = 1024;
/** How much of a reply the client channels carry: enough for any preview. */
const REPLY_HEAD_BYTES = 1024;
/** The least time between two checks of a reply's rate. */
const RATE_RECHECK_MS = 100;

export interface TcpClientOptions extends ClientIo {
  host: string;
  port: number;
  /** How long to wait for the connection, and for each reply. */
  timeoutMs: number;
}

/**
 * The TCP client, in the three ways a user runs it: with words on the command line, at a
 * terminal's prompt, or with lines piped in (all sent over one connection without waiting).
 */
export async function runTcpClient(options: TcpClientOptions): Promise<void> {
  const { host, port, timeoutMs, logger } = options;
  const sessions: Session[] = [];
  const open = async (): Promise<Session> => {
    const socket = await connectTcp(host, port, timeoutMs);
    logger.debug({ address: socket.remoteAddress, port: socket.remotePort }, 'connected');
    const session = new Session(socket, { where: formatAddress(host, port), timeoutMs, output: options.stdout });
    sessions.push(session);
    return session;
  };
  const mode = chooseInputMode(options.words, options.stdin);
  if (mode === 'words') await sendWords(await open(), options.words);
  else if (mode === 'piped') await sendPiped(await open(), options);
  else await prompt(open, options);
  // stdout carries replies only: lines no message asked for are not replies, and their server
  // is not one that speaks this protocol.
  const unasked = sessions.reduce((sum, session) => sum + session.unasked, 0);
  if (unasked > 0) {
    const sent = sessions.reduce((sum, session) => sum + session.sent, 0);
    throw new UnaskedReplyError(`${formatAddress(host, port)} sent ${plural(unasked, 'line')} more than asked for (${plural(sent, 'message')} sent, each answered)`);
  }
}

/** The words are one sentence (a newline among them starts another, as it would on the wire). */
async function sendWords(session: Session, words: string[]): Promise<void> {
  try {
    for (const message of words.join(' ').split(/\r?\n/)) await session.send(Buffer.from(message, 'utf8'));
    session.end();
    await session.answered();
    await session.serverClosed();
  } finally {
    session.close();
  }
}

/** Every line of stdin, written as it comes, replies printed as they come back. */
async function sendPiped(session: Session, options: TcpClientOptions): Promise<void> {
  const pump = async (): Promise<void> => {
    for await (const line of readLines(options.stdin)) await session.send(line);
    session.end();
    await session.answered();
    await session.serverClosed();
  };
  const pumping = pump();
  // On a failure the race settles first; the abandoned pump then fails too, quietly.
  pumping.catch(() => undefined);
  try {
    await Promise.race([pumping, session.failed]);
    options.logger.debug({ sent: session.sent, received: session.received }, 'all answered');
  } finally {
    session.close();
    // A failure may come while stdin is still open; it must not keep the process waiting.
    options.stdin.destroy();
  }
}

/** One sentence at a time at a terminal, each answered before the next prompt. */
async function prompt(open: () => Promise<Session>, options: TcpClientOptions): Promise<void> {
  let session = await open();
  try {
    for await (const line of promptLines(options.stdin, options.stderr)) {
      if (!session.open) {
        // The server closed the connection while the user was typing (its idle timeout, say).
        options.logger.debug({ sent: session.sent, received: session.received }, 'server closed the connection, reconnecting');
        session.close();
        session = await open();
      }
      await session.send(line);
      await session.answered();
    }
    session.end();
    await session.serverClosed();
  } finally {
    session.close();
  }
}

export interface SessionOptions {
  /** `HOST:PORT` as the user named it, for error messages. */
  where: string;
  /**
   * The reply deadline: a reply owed may go this long without a byte, and a reply that has been
   * arriving this long must average MIN_REPLY_RATE.
   */
  timeoutMs: number;
  /** Where replies are printed, one per line. */
  output: Writable;
}

/**
 * The client's side of one connection: messages go out as lines, as fast as the socket takes
 * them (many in flight), and replies come back in the same order and are printed as they
 * arrive, a long one streamed, so the client holds no more of a reply than the chunk in hand
 * whatever the server sends. The first failure (a reply too late or too slow, the peer closed
 * or reset with replies owed) is kept and reported once, through `failed` and every later call.
 * Lines the server sends beyond those asked for are counted, never printed (`unasked`). What
 * happens is published on the client channels (client-channels.ts in runtime), for a trace or
 * anything else to follow.
 */
export class Session {
  sent = 0;
  received = 0;
  /** Lines the server sent beyond the messages it was sent. */
  unasked = 0;
  /** The size of each message still owed a reply, oldest first: no transform replies with more than maxReplyBytes of it. */
  private readonly owed: number[] = [];
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private rejectFailed!: (error: SocketsError) => void;
  private failure: SocketsError | undefined;
  private peerGone = false;
  private readonly decoder = new LineDecoder({
    onFragment: (src, start, end) => this.onReplyBytes(src, start, end),
    onEnd: (terminator) => this.onReplyEnd(terminator),
  });
  /** The wait for the next byte of a reply owed: the gap between bytes. */
  private timer: NodeJS.Timeout | undefined;
  /** The reply in progress: its bytes so far, and those since `rateSince` for its rate. */
  private replyBytes = 0;
  private rateBytes = 0;
  private rateSince = 0;
  private rateTimer: NodeJS.Timeout | undefined;
  /** The first bytes of the reply in progress, kept only while someone listens. */
  private head: Buffer[] = [];
  private headLength = 0;
  private outputBlocked = false;
  private waiters: Array<() => void> = [];
  /** Set once we destroy the socket: the close that follows is ours, not the server's. */
  private closing = false;
  /** `close()` has run: the session's story is over. */
  private closed = false;
  private peerClosedWaiters: Array<() => void> = [];

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
      this.onPeerGone('closed by', 'end');
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.onPeerGone(describeLoss(error), error.code === 'ECONNRESET' ? 'reset' : (error.code ?? error.message)),
    );
    socket.on('close', () => this.onPeerGone('closed by', 'closed'));
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
    // A line that ends in CR keeps it: sent with LF alone, the server would read CR LF as the
    // terminator and answer a different message.
    const terminator = message[message.length - 1] === CR ? CRLF : NEWLINE;
    if (clientChannels.send.hasSubscribers) {
      const data = Buffer.concat([message, terminator]);
      clientChannels.send.publish({ client: this, message: this.sent, data, inFlight: this.sent - this.received } satisfies SendMessage);
    }
    this.owed.push(message.length);
    this.socket.cork();
    this.socket.write(message);
    const more = this.socket.write(terminator);
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
    if (!this.open) return;
    this.socket.end();
    clientChannels.tcpHalfClose.publish(this.progress());
  }

  /**
   * After the last reply, waits briefly for the server's FIN, as a graceful close reads until
   * the other side has closed: the server answers what it owes, then ends its side.
   */
  serverClosed(limitMs = Math.min(this.options.timeoutMs, CLOSE_WAIT_MS)): Promise<void> {
    if (this.peerGone || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.peerClosedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.clearTimer();
    this.clearRateTimer();
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.socket.destroy();
    clientChannels.tcpClosed.publish(this.progress());
  }

  /** Bytes of the reply in progress, printed as they come; those of no message are dropped. */
  private onReplyBytes(src: Buffer, start: number, end: number): void {
    if (this.received >= this.sent || this.failure) return;
    if (this.replyBytes === 0) this.startRateClock();
    this.replyBytes += end - start;
    this.rateBytes += end - start;
    const limit = maxReplyBytes(this.owed[0]);
    if (this.replyBytes > limit) {
      // Whatever the server does, a reply ends: no transform makes more of a message than this.
      this.fail(
        new ReplyTooLongError(
          `reply ${this.received + 1} from ${this.options.where} is longer than any transform makes of its message: over ${limit} bytes for ${this.owed[0]} sent`,
        ),
      );
      return;
    }
    const bytes = src.subarray(start, end);
    if (this.headLength < REPLY_HEAD_BYTES && clientChannels.reply.hasSubscribers) {
      const kept = bytes.subarray(0, REPLY_HEAD_BYTES - this.headLength);
      this.head.push(Buffer.from(kept));
      this.headLength += kept.length;
    }
    this.print(bytes);
  }

  private onReplyEnd(terminator: Terminator): void {
    if (this.failure) return;
    if (this.received >= this.sent) {
      this.unasked++;
      return;
    }
    this.print(NEWLINE);
    this.received++;
    this.owed.shift();
    if (clientChannels.reply.hasSubscribers) {
      const data = Buffer.concat([...this.head, TERMINATOR_BYTES[terminator]]);
      const bytes = this.replyBytes + TERMINATOR_BYTES[terminator].length;
      clientChannels.reply.publish({ client: this, message: this.received, bytes, data, inFlight: this.sent - this.received } satisfies ReplyMessage);
    }
    this.head = [];
    this.headLength = 0;
    this.replyBytes = 0;
    this.clearRateTimer();
    if (this.received >= this.sent) {
      this.clearTimer();
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Writes reply bytes to the output; a slow reader of it slows the socket, not memory. */
  private print(bytes: Buffer): void {
    if (this.options.output.write(bytes) || this.outputBlocked) return;
    // The wait is ours, not the server's: the reply clocks stop meanwhile.
    this.outputBlocked = true;
    this.socket.pause();
    this.clearTimer();
    this.clearRateTimer();
    this.options.output.once('drain', () => {
      this.outputBlocked = false;
      this.socket.resume();
      this.armTimer();
      if (this.replyBytes > 0) this.startRateClock();
    });
  }

  /**
   * A reply that has been arriving for `timeoutMs` must average MIN_REPLY_RATE from there on:
   * checked then, and again when what it sent stops covering the time.
   */
  private startRateClock(): void {
    this.rateSince = performance.now();
    this.rateBytes = 0;
    this.clearRateTimer();
    this.rateTimer = setTimeout(() => this.checkRate(), this.options.timeoutMs);
  }

  private checkRate(): void {
    this.rateTimer = undefined;
    const elapsed = performance.now() - this.rateSince;
    const coveredUntil = Math.max(this.options.timeoutMs, (this.rateBytes / MIN_REPLY_RATE) * 1000);
    if (elapsed + 5 < coveredUntil) {
      this.rateTimer = setTimeout(() => this.checkRate(), Math.max(coveredUntil - elapsed, RATE_RECHECK_MS));
      return;
    }
    this.fail(
      new ReplyTimeoutError(
        `reply ${this.received + 1} from ${this.options.where} too slow: ${this.rateBytes} bytes in ${Math.round(elapsed)} ms, below ${MIN_REPLY_RATE} bytes a second`,
      ),
    );
  }

  private clearRateTimer(): void {
    clearTimeout(this.rateTimer);
    this.rateTimer = undefined;
  }

  /** `how` words the loss for the error; `code` says it for a subscriber: `end`, `reset`, an error code. */
  private onPeerGone(how: string, code: string): void {
    if (this.peerGone) return;
    this.peerGone = true;
    // A close that follows our own destroy() is no news from the server.
    if (!this.closing) clientChannels.tcpPeerClosed.publish({ ...this.progress(), how: code } satisfies TcpPeerClosedMessage);
    for (const wake of this.peerClosedWaiters.splice(0)) wake();
    if (this.received < this.sent) this.fail(this.closedError(how));
    else this.clearTimer();
  }

  private progress(): TcpProgressMessage {
    return { client: this, sent: this.sent, received: this.received };
  }

  private closedError(how: string): SocketsError {
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

  private fail(error: SocketsError): SocketsError {
    if (this.failure) return this.failure;
    this.failure = error;
    this.clearTimer();
    this.clearRateTimer();
    // A failure the server caused (its FIN or RST with replies owed) is told by onPeerGone.
    if (!this.peerGone) clientChannels.tcpGaveUp.publish({ ...this.progress(), error: error.message } satisfies TcpGaveUpMessage);
    this.closing = true;
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
