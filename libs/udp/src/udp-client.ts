import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { Writable } from 'node:stream';
import { noopLogger, type Logger } from '@sockets/logging';
import { MAX_DATAGRAM_PAYLOAD } from '@sockets/wire-codec';
import {
  chooseInputMode,
  clientChannels,
  type ClientIo,
  ConnectError,
  ConnectionRefusedError,
  describeSocketError,
  formatAddress,
  MessageTooLargeError,
  NoReplyError,
  promptLines,
  readLines,
  ResolveError,
  type ReplyMessage,
  type ResolveMessage,
  type SendMessage,
  type UdpIgnoredMessage,
  type UdpRefusedMessage,
  type UdpSocketClosedMessage,
  type UdpSocketMessage,
  type UdpTimeoutMessage,
} from '@sockets/runtime';

const NEWLINE = Buffer.from('\n');

export interface UdpClientOptions extends ClientIo {
  host: string;
  port: number;
  /** The wait for a reply to the first attempt; each retransmission waits twice as long. */
  timeoutMs: number;
  /** Retransmissions after the first attempt. */
  retries: number;
}

/**
 * The UDP client, in the three ways a user runs it: the words of its command line as one
 * message, sentences typed at a terminal's prompt, or the lines of a pipe.
 */
export async function runUdpClient(options: UdpClientOptions): Promise<void> {
  const { host, port, timeoutMs, retries, logger } = options;
  const addresses = await resolveServer(host);
  const requester = new UdpRequester({ host, port, addresses, timeoutMs, retries, logger });
  if (clientChannels.resolve.hasSubscribers) {
    clientChannels.resolve.publish({ client: requester, host, addresses: addresses.map(({ address }) => address) } satisfies ResolveMessage);
  }
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

type Outcome = { kind: 'reply'; reply: Buffer; from: RemoteInfo } | { kind: 'refused' } | { kind: 'timeout' };

/**
 * Stop-and-wait requests over UDP: one message out, its reply back, retransmitting on loss.
 *
 * The socket is connected, so the kernel delivers only datagrams from the server's address and
 * port. After a retransmission the server may answer more than once; the extra replies would
 * look exactly like the answer to the next message, so the socket is then replaced: its
 * successor has a new port, and the stale replies arrive nowhere. What happens is published on
 * the client channels (client-channels.ts in runtime), for a trace or anything else to follow.
 */
export class UdpRequester {
  private socket: Socket | undefined;
  private addressIndex = 0;
  private settle: ((outcome: Outcome) => void) | undefined;
  private readonly logger: Logger;
  /** Messages requested so far, numbered from 1 as the channels number them. */
  private messages = 0;

  constructor(private readonly options: UdpRequesterOptions) {
    if (options.addresses.length === 0) throw new Error('UdpRequester needs at least one address');
    this.logger = options.logger ?? noopLogger;
  }

  /** The reply to `message`; throws NoReplyError when every attempt went unanswered. */
  async request(message: Buffer): Promise<Buffer> {
    const { retries, timeoutMs } = this.options;
    const number = ++this.messages;
    this.checkSize(message);
    for (let attempt = 0; attempt <= retries; attempt++) {
      const socket = await this.connectedSocket();
      const canSwitch = this.addressIndex + 1 < this.options.addresses.length;
      const waitMs = timeoutMs * 2 ** attempt;
      const outcome = await this.attempt(socket, message, waitMs, number, attempt + 1);
      if (outcome.kind === 'reply') {
        if (attempt > 0) this.retireSocket('retransmitted');
        return outcome.reply;
      }
      this.logger.debug({ attempt: attempt + 1, outcome: outcome.kind, server: this.serverText() }, 'attempt lost');
      if (outcome.kind === 'timeout') {
        const nextWaitMs = attempt < retries ? waitMs * 2 : undefined;
        clientChannels.udpTimeout.publish({ client: this, message: number, attempt: attempt + 1, attempts: retries + 1, waitedMs: waitMs, nextWaitMs } satisfies UdpTimeoutMessage);
      }
      if (outcome.kind === 'refused') {
        const next = canSwitch ? formatAddress(this.options.addresses[this.addressIndex + 1].address, this.options.port) : undefined;
        clientChannels.udpRefused.publish({ client: this, to: this.serverText(), next } satisfies UdpRefusedMessage);
        // Nothing listens there (ICMP port unreachable). The next address may be the right one,
        // `localhost` resolving to ::1 for a server bound to 127.0.0.1, say; with none left,
        // the host has said no, and waiting out the retries would only hide it.
        this.retireSocket();
        if (!canSwitch) {
          // The contract's words, then what happened: UDP has no connection to refuse.
          throw new ConnectionRefusedError(`connection refused by ${formatAddress(this.options.host, this.options.port)} (ICMP port unreachable: nothing listens there)`);
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
  private attempt(socket: Socket, message: Buffer, waitMs: number, number: number, attempt: number): Promise<Outcome> {
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
          clientChannels.udpIgnored.publish({ client: this, reason: 'empty-reply', from: sourceText(outcome.from), data: outcome.reply } satisfies UdpIgnoredMessage);
          return;
        }
        if (outcome.kind === 'reply' && clientChannels.reply.hasSubscribers) {
          const { reply, from } = outcome;
          clientChannels.reply.publish({ client: this, message: number, attempt, from: sourceText(from), bytes: reply.length, data: reply } satisfies ReplyMessage);
        }
        finish(outcome);
      };
      if (clientChannels.send.hasSubscribers) {
        clientChannels.send.publish({ client: this, message: number, attempt, to: this.serverText(), data: message } satisfies SendMessage);
      }
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
    socket.on('message', (data: Buffer, from: RemoteInfo) => {
      if (socket === this.socket && this.settle) return this.settle({ kind: 'reply', reply: data, from });
      this.logger.debug({ bytes: data.length }, 'datagram with no request waiting, ignored');
      clientChannels.udpIgnored.publish({ client: this, reason: 'no-request', from: sourceText(from), data } satisfies UdpIgnoredMessage);
    });
    socket.on('error', (error) => this.onSocketError(socket, error));
    try {
      await new Promise<void>((resolve, reject) => socket.connect(port, address, (error?: Error) => (error ? reject(error) : resolve())));
    } catch (error) {
      socket.close();
      throw new ConnectError(`cannot reach ${this.serverText()}: ${describeSocketError(error)}`, { cause: error });
    }
    this.socket = socket;
    if (clientChannels.udpSocket.hasSubscribers) {
      clientChannels.udpSocket.publish({ client: this, local: localText(socket), remote: this.serverText() } satisfies UdpSocketMessage);
    }
    return socket;
  }

  /** Errors of one exchange never end the program: at worst they make an attempt lost. */
  private onSocketError(socket: Socket, error: NodeJS.ErrnoException): void {
    this.logger.debug({ err: error, server: this.serverText() }, 'socket error');
    if (socket === this.socket && error.code === 'ECONNREFUSED') this.settle?.({ kind: 'refused' });
  }

  private retireSocket(reason?: 'retransmitted'): void {
    if (reason && this.socket && clientChannels.udpSocketClosed.hasSubscribers) {
      clientChannels.udpSocketClosed.publish({ client: this, local: localText(this.socket) } satisfies UdpSocketClosedMessage);
    }
    this.socket?.close();
    this.socket = undefined;
  }

  private serverText(): string {
    return formatAddress(this.options.addresses[this.addressIndex].address, this.options.port);
  }
}

function sourceText(from: RemoteInfo): string {
  return formatAddress(from.address, from.port);
}

function localText(socket: Socket): string {
  const { address, port } = socket.address();
  return formatAddress(address, port);
}
