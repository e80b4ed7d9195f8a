import { connect, type Socket } from 'node:net';

/**
 * A raw TCP client for the e2e tests: it keeps every byte the server sends and lets a test
 * wait, with a deadline, for what it expects (bytes, the server's FIN, the close).
 */
export class TestPeer {
  readonly chunks: Buffer[] = [];
  length = 0;
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;
  /** The port the server sees as `remotePort` (a closed socket no longer knows it). */
  readonly localPort: number;
  private readonly wakers = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    this.localPort = socket.localPort as number;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (this.error = error));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /**
   * `allowHalfOpen` keeps our side open after the server's FIN, as a peer that has not finished
   * sending would; by default we end as soon as the server does.
   */
  static connect(port: number, host = '127.0.0.1', timeoutMs = 10_000, options: { allowHalfOpen?: boolean } = {}): Promise<TestPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true, allowHalfOpen: options.allowHalfOpen ?? false });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`could not connect to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new TestPeer(socket));
      });
    });
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get text(): string {
    return this.received.toString('utf8');
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (error) => (error ? reject(error) : resolve())));
  }

  /** Resolves once `done()` holds; rejects after `timeoutMs`, saying what was awaited and what came. */
  waitFor(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        const sample = this.received.subarray(0, 200).toString('utf8');
        reject(new Error(`timed out waiting for ${what}; got ${this.length} bytes (${JSON.stringify(sample)}), ended=${this.ended}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.wakers.delete(check);
      };
      this.wakers.add(check);
      check();
    });
  }

  waitForBytes(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.length >= count, `${count} bytes`, timeoutMs);
  }

  waitForText(text: string, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.text.includes(text), JSON.stringify(text), timeoutMs);
  }

  waitForEnd(timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.ended, 'the end of the stream', timeoutMs);
  }

  waitForClose(timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.closed, 'the close', timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const check of [...this.wakers]) check();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true on 'drain', false if none comes within `ms` (the peer has stopped taking bytes). */
export function drained(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('drain', onDrain);
      resolve(false);
    }, ms);
    const onDrain = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('drain', onDrain);
  });
}
