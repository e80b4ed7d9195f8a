import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { LineDecoder, type Terminator } from '@sockets/wire-codec';
import {
  chooseInputMode,
  clientChannels,
  type ClientIo,
  connectTcp,
  ConnectionClosedError,
  formatAddress,
  promptLines,
  readLines,
  ReplyTimeoutError,
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
  const open = async (): Promise<Session> => {
    const socket = await connectTcp(host, port, timeoutMs);
    logger.debug({ address: socket.remoteAddress, port: socket.remotePort }, 'connected');
    return new Session(socket, { where: formatAddress(host, port), timeoutMs, output: options.stdout });
  };
  const mode = chooseInputMode(options.words, options.stdin);
  if (mode === 'words') await sendWords(await open(), options.words);
  else if (mode === 'piped') await sendPiped(await open(), options);
  else await prompt(open, options);
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
  /** How long the oldest unanswered message may wait for its reply to start or go on. */
  timeoutMs: number;
  /** Where replies are printed, one per line. */
  output: Writable;
}

/**
 * The client's side of one connection: messages go out as lines, as fast as the socket takes
 * them (many in flight), and replies come back in the same order and are printed as they
 * complete. The first failure (reply timeout, peer closed or reset with replies owed) is kept
 * and reported once, through `failed` and every later call. What happens is published on the
 * client channels (client-channels.ts in runtime), for a trace or anything else to follow.
 */
export class Session {
  sent = 0;
  received = 0;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private rejectFailed!: (error: SocketsError) => void;
  private failure: SocketsError | undefined;
  private peerGone = false;
  private readonly parts: Buffer[] = [];
  private readonly decoder = new LineDecoder({
    onFragment: (src, start, end) => this.parts.push(Buffer.from(src.subarray(start, end))),
    onEnd: (terminator) => this.onReply(terminator),
  });
  private timer: NodeJS.Timeout | undefined;
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
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.socket.destroy();
    clientChannels.tcpClosed.publish(this.progress());
  }

  private onReply(terminator: Terminator): void {
    const reply = Buffer.concat([...this.parts.splice(0), NEWLINE]);
    this.received++;
    if (clientChannels.reply.hasSubscribers) {
      const data = Buffer.concat([reply.subarray(0, reply.length - 1), TERMINATOR_BYTES[terminator]]);
      clientChannels.reply.publish({ client: this, message: this.received, data, inFlight: this.sent - this.received } satisfies ReplyMessage);
    }
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
