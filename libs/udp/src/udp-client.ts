import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { Writable } from 'node:stream';
import { noopLogger, type Logger } from '@sockets/logging';
import { MAX_DATAGRAM_PAYLOAD } from '@sockets/wire-codec';
import {
  chooseInputMode,
  type ClientIo,
  type ClientTrace,
  ConnectError,
  ConnectionRefusedError,
  createClientTrace,
  describeSocketError,
  formatAddress,
  MessageTooLargeError,
  NO_TRACE,
  NoReplyError,
  promptLines,
  readLines,
  ResolveError,
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
  const trace = createClientTrace({ format: options.trace, output: options.stderr, protocol: 'udp' });
  try {
    const addresses = await resolveServer(host);
    trace.emit({ event: 'resolve', host, addresses: addresses.map(({ address }) => address) });
    const requester = new UdpRequester({ host, port, addresses, timeoutMs, retries, logger, trace });
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
  } finally {
    // Also after a failure: what did get through is part of the story.
    trace.summary();
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
  trace?: ClientTrace;
}

type Outcome = { kind: 'reply'; reply: Buffer; from: RemoteInfo } | { kind: 'refused' } | { kind: 'timeout' };

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
  private readonly trace: ClientTrace;
  /** Messages requested so far; the trace numbers them from 1. */
  private messages = 0;

  constructor(private readonly options: UdpRequesterOptions) {
    if (options.addresses.length === 0) throw new Error('UdpRequester needs at least one address');
    this.logger = options.logger ?? noopLogger;
    this.trace = options.trace ?? NO_TRACE;
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
      if (outcome.kind === 'timeout' && this.trace.enabled) {
        this.trace.emit(
          attempt < retries
            ? { event: 'retransmit', message: number, attempt: attempt + 2, attempts: retries + 1, waitedMs: waitMs, nextWaitMs: waitMs * 2 }
            : { event: 'gave-up', message: number, attempts: retries + 1, waitedMs: waitMs },
        );
      }
      if (outcome.kind === 'refused') {
        if (this.trace.enabled) {
          const next = canSwitch ? formatAddress(this.options.addresses[this.addressIndex + 1].address, this.options.port) : undefined;
          this.trace.emit({ event: 'refused', to: this.serverText(), next });
        }
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
  private attempt(socket: Socket, message: Buffer, waitMs: number, number: number, attempt: number): Promise<Outcome> {
    const { trace } = this;
    return new Promise((resolve) => {
      let sentAt = 0;
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
          if (trace.enabled) trace.emit({ event: 'ignored', reason: 'empty-reply', bytes: 0, from: sourceText(outcome.from), data: outcome.reply });
          return;
        }
        if (outcome.kind === 'reply' && trace.enabled) {
          const { reply, from } = outcome;
          trace.emit({ event: 'reply', message: number, attempt, bytes: reply.length, from: sourceText(from), rttMs: trace.now() - sentAt, data: reply });
        }
        finish(outcome);
      };
      if (trace.enabled) {
        trace.emit({ event: 'send', message: number, attempt, bytes: message.length, to: this.serverText(), data: message });
        sentAt = trace.now();
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
      if (this.trace.enabled) this.trace.emit({ event: 'ignored', reason: 'no-request', bytes: data.length, from: sourceText(from), data });
    });
    socket.on('error', (error) => this.onSocketError(socket, error));
    try {
      await new Promise<void>((resolve, reject) => socket.connect(port, address, (error?: Error) => (error ? reject(error) : resolve())));
    } catch (error) {
      socket.close();
      throw new ConnectError(`cannot reach ${this.serverText()}: ${describeSocketError(error)}`, { cause: error });
    }
    this.socket = socket;
    if (this.trace.enabled) this.trace.emit({ event: 'socket', local: localText(socket), remote: this.serverText() });
    return socket;
  }

  /** Errors of one exchange never end the program: at worst they make an attempt lost. */
  private onSocketError(socket: Socket, error: NodeJS.ErrnoException): void {
    this.logger.debug({ err: error, server: this.serverText() }, 'socket error');
    if (socket === this.socket && error.code === 'ECONNREFUSED') this.settle?.({ kind: 'refused' });
  }

  private retireSocket(reason?: 'retransmitted'): void {
    if (reason && this.socket && this.trace.enabled) this.trace.emit({ event: 'socket-closed', local: localText(this.socket), reason });
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
