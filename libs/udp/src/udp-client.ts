import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { Readable, Writable } from 'node:stream';
import { noopLogger, type Logger } from '@sockets/logging';
import { MAX_DATAGRAM_PAYLOAD } from '@sockets/protocol';
import {
  chooseInputMode,
  ConnectError,
  ConnectionRefusedError,
  describeSocketError,
  formatAddress,
  MessageTooLargeError,
  NoReplyError,
  promptLines,
  readLines,
  ResolveError,
} from '@sockets/runtime';

const NEWLINE = Buffer.from('\n');

export interface UdpClientOptions {
  host: string;
  port: number;
  /** The wait for a reply to the first attempt; each retransmission waits twice as long. */
  timeoutMs: number;
  /** Retransmissions after the first attempt. */
  retries: number;
  /** The words of the command line: when there are any, they are the one message. */
  words: string[];
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  /** Where the interactive prompt goes, so stdout carries replies only. */
  stderr: Writable;
  logger: Logger;
}

/**
 * The UDP client, in the three ways a user runs it: the words of its command line as one
 * message, sentences typed at a terminal's prompt, or the lines of a pipe.
 */
export async function runUdpClient(options: UdpClientOptions): Promise<void> {
  const { host, port, timeoutMs, retries, logger } = options;
  const requester = new UdpRequester({ host, port, addresses: await resolveServer(host), timeoutMs, retries, logger });
  const mode = chooseInputMode(options.words, options.stdin);
  const messages =
    mode === 'words'
      ? [Buffer.from(options.words.join(' '), 'utf8')]
      : mode === 'interactive'
        ? promptLines(options.stdin, options.stderr)
        : readLines(options.stdin);
  try {
    const answered = await exchangeAll(messages, (message) => requester.request(message), options.stdout);
    logger.debug({ mode, answered }, 'done');
  } finally {
    requester.close();
  }
}

/**
 * Stop-and-wait: each message is sent only once the previous one is answered, so replies come
 * out in the order of the messages, one per line, the reply bytes as they arrived.
 */
export async function exchangeAll(
  messages: Iterable<Buffer> | AsyncIterable<Buffer>,
  request: (message: Buffer) => Promise<Buffer>,
  out: Writable,
): Promise<number> {
  let answered = 0;
  for await (const message of messages) {
    const reply = await request(message);
    out.write(reply);
    if (!out.write(NEWLINE)) await new Promise((resolve) => out.once('drain', resolve));
    answered++;
  }
  return answered;
}

/**
 * Every address `host` names, in the resolver's order (an IP literal is its own only address).
 * All are kept: UDP has no handshake, so the client learns which one has a server only by trying.
 */
export async function resolveServer(host: string): Promise<ServerAddress[]> {
  try {
    const found = await lookup(host, { all: true });
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  } catch (error) {
    throw new ResolveError(`cannot resolve ${host}: ${describeSocketError(error)}`, { cause: error });
  }
}

export interface ServerAddress {
  address: string;
  family: 4 | 6;
}

export interface UdpRequesterOptions {
  /** The host as the user wrote it, for messages. */
  host: string;
  port: number;
  /** What `host` resolved to, in the order to try; a refused address gives way to the next. */
  addresses: readonly ServerAddress[];
  /** The wait for a reply to the first attempt; each retransmission waits twice as long. */
  timeoutMs: number;
  /** Retransmissions after the first attempt. */
  retries: number;
  logger?: Logger;
}

type Outcome = { kind: 'reply'; reply: Buffer } | { kind: 'refused' } | { kind: 'timeout' };

/**
 * Stop-and-wait requests over UDP: one message out, its reply back, retransmitting on loss.
 *
 * The socket is connected, so the kernel delivers only datagrams from the server's address and
 * port. After a retransmission the server may answer more than once; the extra replies would
 * look exactly like the answer to the next message, so the socket is then replaced: its
 * successor has a new port, and the stale replies arrive nowhere.
 */
export class UdpRequester {
  private socket: Socket | undefined;
  private addressIndex = 0;
  private settle: ((outcome: Outcome) => void) | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: UdpRequesterOptions) {
    if (options.addresses.length === 0) throw new Error('UdpRequester needs at least one address');
    this.logger = options.logger ?? noopLogger;
  }

  /** The reply to `message`; throws NoReplyError when every attempt went unanswered. */
  async request(message: Buffer): Promise<Buffer> {
    const { retries, timeoutMs } = this.options;
    this.checkSize(message);
    for (let attempt = 0; attempt <= retries; attempt++) {
      const socket = await this.connectedSocket();
      const canSwitch = this.addressIndex + 1 < this.options.addresses.length;
      const outcome = await this.attempt(socket, message, timeoutMs * 2 ** attempt);
      if (outcome.kind === 'reply') {
        if (attempt > 0) this.retireSocket();
        return outcome.reply;
      }
      this.logger.debug({ attempt: attempt + 1, outcome: outcome.kind, server: this.serverText() }, 'attempt lost');
      if (outcome.kind === 'refused') {
        // Nothing listens there (ICMP port unreachable). The next address may be the right one,
        // `localhost` resolving to ::1 for a server bound to 127.0.0.1, say; with none left,
        // the host has said no, and waiting out the retries would only hide it.
        this.retireSocket();
        if (!canSwitch) {
          throw new ConnectionRefusedError(`connection refused by ${formatAddress(this.options.host, this.options.port)}`);
        }
        this.addressIndex++;
        this.checkSize(message);
      }
      // Otherwise the same socket retransmits: a late reply to an earlier attempt answers this
      // message just as well.
    }
    this.retireSocket();
    throw new NoReplyError(
      `no reply from ${formatAddress(this.options.host, this.options.port)} after ${retries + 1} attempts`,
    );
  }

  close(): void {
    this.retireSocket();
  }

  private checkSize(message: Buffer): void {
    const { family } = this.options.addresses[this.addressIndex];
    const limit = MAX_DATAGRAM_PAYLOAD[family === 6 ? 'udp6' : 'udp4'];
    if (message.length > limit) {
      throw new MessageTooLargeError(
        `message of ${message.length} bytes is too large for one UDP datagram to ${this.serverText()} (at most ${limit} bytes over IPv${family}); not sent`,
      );
    }
  }

  /** Sends once and waits up to `waitMs` for the reply, or for the host's refusal. */
  private attempt(socket: Socket, message: Buffer, waitMs: number): Promise<Outcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), waitMs);
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve(outcome);
      };
      this.settle = (outcome) => {
        // No transform answers a non-empty message with nothing, but a UDP proxy does when its
        // upstream is gone (nginx relays the ICMP error as an empty datagram): not an answer,
        // so the attempt goes on and its retransmission can reach another instance.
        if (outcome.kind === 'reply' && outcome.reply.length === 0 && message.length > 0) {
          this.logger.debug({ server: this.serverText() }, 'empty reply to a non-empty message, ignored');
          return;
        }
        finish(outcome);
      };
      socket.send(message, (error) => {
        if (error) this.onSocketError(socket, error);
      });
    });
  }

  private async connectedSocket(): Promise<Socket> {
    if (this.socket) return this.socket;
    const { port } = this.options;
    const { address, family } = this.options.addresses[this.addressIndex];
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.on('message', (data: Buffer) => {
      if (socket === this.socket && this.settle) this.settle({ kind: 'reply', reply: data });
      else this.logger.debug({ bytes: data.length }, 'datagram with no request waiting, ignored');
    });
    socket.on('error', (error) => this.onSocketError(socket, error));
    try {
      await new Promise<void>((resolve, reject) => socket.connect(port, address, (error?: Error) => (error ? reject(error) : resolve())));
    } catch (error) {
      socket.close();
      throw new ConnectError(`cannot reach ${this.serverText()}: ${describeSocketError(error)}`, { cause: error });
    }
    this.socket = socket;
    return socket;
  }

  /** Errors of one exchange never end the program: at worst they make an attempt lost. */
  private onSocketError(socket: Socket, error: NodeJS.ErrnoException): void {
    this.logger.debug({ err: error, server: this.serverText() }, 'socket error');
    if (socket === this.socket && error.code === 'ECONNREFUSED') this.settle?.({ kind: 'refused' });
  }

  private retireSocket(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private serverText(): string {
    return formatAddress(this.options.addresses[this.addressIndex].address, this.options.port);
  }
}
