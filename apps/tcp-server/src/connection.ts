import type { Socket } from 'node:net';
import type { Logger } from '@sockets/logging';
import { ReplyStream, type SpentBufferCollector } from '@sockets/service';
import { createTransducer, type TransformName } from '@sockets/transform';

export interface ConnectionOptions {
  transform: TransformName;
  flushMs: number;
  /** 0 keeps idle connections open for ever. */
  idleTimeoutMs: number;
  logger: Logger;
  spentBuffers: SpentBufferCollector;
}

/**
 * One client: socket -> ReplyStream -> socket, with Node's backpressure as the only flow
 * control, and one log line when it closes that says what it did and why it ended.
 */
export class Connection {
  /** Resolves once the socket has closed and the close has been logged. */
  readonly closed: Promise<void>;
  private readonly stream: ReplyStream;
  private readonly startedAt = performance.now();
  private readonly remoteAddress: string | undefined;
  private readonly remotePort: number | undefined;
  /** The first cause wins: an error after `server stopping` is a consequence, not the reason. */
  private reason: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    // Read now, as a destroyed socket no longer knows its peer; and only when a line will say it:
    // each read is a getpeername(2), and tcp-cpm opens thousands of connections a second.
    if (options.logger.isLevelEnabled('debug')) {
      this.remoteAddress = socket.remoteAddress;
      this.remotePort = socket.remotePort;
    }
    const { flushMs, spentBuffers } = options;
    this.stream = new ReplyStream(createTransducer(options.transform), { flushMs, spentBuffers });
    if (options.idleTimeoutMs > 0) socket.setTimeout(options.idleTimeoutMs, () => this.destroy('idle timeout'));
    // Resets and broken pipes are what peers do; they end this connection and nothing else.
    socket.on('error', (error: NodeJS.ErrnoException) => this.setReason(error.code ?? error.message));
    // Added before the pipe, so it sees each chunk before the replies are written over it.
    if (options.logger.isLevelEnabled('trace')) {
      socket.on('data', (chunk: Buffer) => options.logger.trace({ ...this.peer(), text: chunk.toString('utf8') }, 'bytes received'));
    }
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.stream.destroy();
        this.logClose();
        resolve();
      }),
    );
    // socket -> ReplyStream -> socket, with `pipe`'s backpressure. Not `stream.pipeline`: it
    // builds an AbortController per call and an AbortError (a DOMException, stack and all) when
    // it ends, which halved the connections served per second in tcp-cpm; the two things it
    // would add are spelled out here. When the peer half-closes, the stream answers its
    // unterminated tail and ends our side; the socket closes once both directions are done
    // (allowHalfOpen on the server).
    socket.pipe(this.stream).pipe(socket);
    this.stream.on('error', (error: NodeJS.ErrnoException) => this.destroy(error.code ?? error.message));
  }

  /**
   * Graceful stop: read nothing more, answer every byte already read (an unterminated tail
   * included), then end our side. Whatever the peer still sends is discarded.
   */
  stop(): void {
    this.setReason('server stopping');
    const { socket, stream } = this;
    if (socket.destroyed || stream.writableEnded) return;
    socket.unpipe(stream);
    socket.pause();
    // Bytes already in the socket's buffer were received too; paused, read() hands them all over.
    const buffered = socket.read() as Buffer | null;
    if (buffered) stream.write(buffered);
    stream.end();
    // Flowing with no pipe drops input, so the peer's FIN can arrive and the socket close.
    socket.resume();
  }

  destroy(reason: string): void {
    this.setReason(reason);
    this.socket.destroy();
  }

  private setReason(reason: string): void {
    this.reason ??= reason;
  }

  private peer(): { remoteAddress: string | undefined; remotePort: number | undefined } {
    return { remoteAddress: this.remoteAddress, remotePort: this.remotePort };
  }

  private logClose(): void {
    if (!this.options.logger.isLevelEnabled('debug')) return;
    this.options.logger.debug(
      {
        ...this.peer(),
        bytesIn: this.stream.bytesIn,
        bytesOut: this.stream.bytesOut,
        messages: this.stream.engine.messages,
        durationMs: Math.round(performance.now() - this.startedAt),
        reason: this.reason ?? 'peer closed',
      },
      'connection closed',
    );
  }
}
