import { Transform, type TransformCallback } from 'node:stream';
import type { Transducer } from '@sockets/transform';
import { ReplyEngine } from './reply-engine';
import type { SpentBufferCollector } from './spent-buffers';

export interface ReplyStreamOptions {
  /**
   * Silence after which a message without a terminator counts as complete, so a peer that
   * sends a sentence without a newline and waits (the seed's TCPClient.py) gets its reply.
   */
  flushMs: number;
  /** Told of every chunk once its replies are out, so spent chunks are freed early (one per process). */
  spentBuffers?: SpentBufferCollector;
}

/**
 * The TCP data path as one Transform: request bytes in, reply bytes out, in order. One stage
 * rather than decoder, transform and encoder as three streams: each stream hop costs more per
 * chunk than the work itself, and backpressure is just as real with one stage as with three.
 * Chunks written to it become its own, as a socket's are once read: replies may be written
 * over them (see `ReplyEngine.feed`).
 */
export class ReplyStream extends Transform {
  readonly engine: ReplyEngine;
  bytesIn = 0;
  bytesOut = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    transducer: Transducer,
    private readonly options: ReplyStreamOptions,
  ) {
    super();
    this.engine = new ReplyEngine(transducer, 'line');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    const out = this.engine.feed(chunk);
    if (out) this.bytesOut += out.length;
    // Only a chunk that leaves a message open needs the timer; pipelined traffic, whose
    // chunks end at a newline, never arms it.
    if (this.engine.open) this.armIdleFlush();
    else this.disarmIdleFlush();
    callback(null, out);
    // Pushed on to the socket by now, which in the common case has copied it to the kernel.
    this.options.spentBuffers?.add(chunk.length);
  }

  override _flush(callback: TransformCallback): void {
    this.disarmIdleFlush();
    const out = this.engine.flush();
    if (out) this.bytesOut += out.length;
    callback(null, out);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.disarmIdleFlush();
    callback(error);
  }

  private armIdleFlush(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.destroyed || this.writableEnded) return;
      const out = this.engine.flush();
      if (out) {
        this.bytesOut += out.length;
        this.push(out);
      }
    }, this.options.flushMs);
  }

  private disarmIdleFlush(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }
}
