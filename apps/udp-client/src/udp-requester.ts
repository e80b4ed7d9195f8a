import { createSocket, type Socket } from 'node:dgram';
import { ConnectError, MessageTooLargeError, NoReplyError, formatAddress } from '@sockets/cli';
import { noopLogger, type Logger } from '@sockets/logging';
import { MAX_DATAGRAM_PAYLOAD } from '@sockets/wire-codec';

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
      const outcome = await this.attempt(socket, message, timeoutMs * 2 ** attempt, canSwitch);
      if (outcome.kind === 'reply') {
        if (attempt > 0) this.retireSocket();
        return outcome.reply;
      }
      this.logger.debug({ attempt: attempt + 1, outcome: outcome.kind, server: this.serverText() }, 'attempt lost');
      if (outcome.kind === 'refused') {
        // Nothing listens there (ICMP port unreachable): the next address may be the right one,
        // `localhost` resolving to ::1 for a server bound to 127.0.0.1, say.
        this.retireSocket();
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

  /**
   * Sends once and waits up to `waitMs`. A refusal ends the attempt early only if another
   * address is left to try; otherwise the wait runs out, so a server that is just starting can
   * still answer the next attempt.
   */
  private attempt(socket: Socket, message: Buffer, waitMs: number, canSwitch: boolean): Promise<Outcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), waitMs);
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve(outcome);
      };
      this.settle = (outcome) => {
        if (outcome.kind === 'refused' && !canSwitch) return;
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
      throw new ConnectError(`cannot reach ${this.serverText()}: ${(error as Error).message}`);
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
