import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { rateLimitedWarning, type Logger } from '@sockets/logging';
import type { TransformName } from '@sockets/transform';
import { ReplyEncoder, ReplyEngine } from '@sockets/wire-codec';
import { errorCode, peerAddress, ServiceStats, type Service } from '@sockets/runtime';
import { ConnectionList, type Linked } from './connection-list';

export interface TcpServerOptions {
  transform: TransformName;
  /**
   * Silence after which a message without a terminator counts as complete, so a peer that
   * sends a sentence without a newline and waits (the seed's TCPClient.py) gets its reply.
   */
  flushMs: number;
  /**
   * A connection with no traffic either way for this long is closed, a little later at most
   * (see IDLE_SWEEP_MS); 0 never closes it.
   */
  idleTimeoutMs: number;
  /** Connections served at once; Node closes one over the cap as soon as it is accepted. */
  maxConnections: number;
  /** Connections served at once from one client address; 0 for no limit. */
  maxPerAddress: number;
  /** A line unfinished after this long must keep arriving at `minLineRate`. */
  slowLineMs: number;
  /** Bytes a second a line in progress must average once `slowLineMs` has passed; 0 for no limit. */
  minLineRate: number;
  logger: Logger;
}

const LF = 0x0a;

/** How long a graceful stop waits for peers to take their last replies before cutting them off. */
const DRAIN_MS = 3000;
/**
 * A slow line is cut at most this long after the moment it falls short: the least time between
 * two checks of a line that only just keeps up.
 */
const SLOW_LINE_RECHECK_MS = 100;
/**
 * A timer fires by the event loop's clock, which may run a little behind `performance.now()`:
 * without this slack, a check due at 10 s could find 9.999 s and wait for the next one.
 */
const TIMER_SLACK_MS = 5;
/**
 * Idle connections are found by a sweep over all of them, as Node's http server finds expired
 * requests (`connectionsCheckingInterval`), not by a timer per socket: `socket.setTimeout`
 * re-arms its timer on every read and every write, which costs a short connection a measurable
 * share of its time. A connection is closed by the first sweep after it has been idle for the
 * whole timeout, so at most one interval late: a second, or a quarter of a shorter timeout.
 * A proxy in front (docs/DEPLOY.md) keeps its own timer longer than that.
 */
const IDLE_SWEEP_MS = 1000;

/**
 * The TCP server: accepts connections and gives each a `TcpConnection` (below), which is the
 * whole data path of one client.
 */
export function createTcpServer(options: TcpServerOptions): Service {
  const { logger, maxConnections } = options;
  const stats = new ServiceStats();
  const connections = new ConnectionList<TcpConnection>();
  /** Set by a stop in progress: called when the last connection has closed. */
  let allClosed: (() => void) | undefined;
  // One buffer for the replies of every connection, reused whenever a socket has passed a
  // reply to the kernel (see ReplyEngine.release): a busy server leaves no buffer per chunk for
  // the garbage collector, and an idle connection holds no output memory.
  const encoder = new ReplyEncoder();
  const perAddress = new Map<string, number>();
  // Made once for all connections: a short connection should cost the garbage collector
  // little, and a busy server accepts thousands a second.
  const debug = logger.isLevelEnabled('debug');
  const context: ServerContext = {
    options,
    stats,
    debug,
    // Trace is the level below debug: without debug, no trace either.
    trace: debug && logger.isLevelEnabled('trace'),
    onClose(connection) {
      connections.remove(connection);
      if (connections.size === 0) allClosed?.();
      const { address } = connection;
      if (address === undefined) return;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    },
  };
  // allowHalfOpen: a peer's FIN ends its input only; replies still owed go out before ours.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    // Only with a per-address cap: reading the peer's address is a getpeername(2) per connection.
    const address = options.maxPerAddress > 0 ? (socket.remoteAddress ?? '') : undefined;
    if (address !== undefined) {
      const count = perAddress.get(address) ?? 0;
      if (count >= options.maxPerAddress) {
        socket.destroy();
        stats.connectionsRejected++;
        warnOverAddressCap({ remoteAddress: peerAddress(address), remotePort: socket.remotePort, maxPerAddress: options.maxPerAddress });
        return;
      }
      perAddress.set(address, count + 1);
    }
    const engine = new ReplyEngine(options.transform, 'line', encoder);
    connections.add(new TcpConnection(socket, engine, context, address));
  });
  server.maxConnections = maxConnections;

  // A flood of connections over a cap, or of failed accepts, gets a line a second, with a count.
  const warnOverCap = rateLimitedWarning(logger, 'connection over the cap closed');
  const warnOverAddressCap = rateLimitedWarning(logger, 'connection over the per-address cap closed');
  const reportServerError = rateLimitedWarning(logger, 'server error', 'error');
  server.on('drop', (peer) => {
    stats.connectionsRejected++;
    warnOverCap({ remoteAddress: peerAddress(peer?.remoteAddress), remotePort: peer?.remotePort, maxConnections });
  });

  let idleSweep: NodeJS.Timeout | undefined;
  if (options.idleTimeoutMs > 0) {
    const interval = Math.min(IDLE_SWEEP_MS, options.idleTimeoutMs / 4);
    // Sweeps with no traffic between them that span the whole timeout.
    const sweeps = Math.ceil(options.idleTimeoutMs / interval);
    idleSweep = setInterval(() => {
      connections.forEach((connection) => connection.sweepIdle(sweeps));
    }, interval);
    // The listening socket keeps the process alive; this timer alone must not.
    idleSweep.unref();
  }

  return {
    stats,
    listen: (host, port, { reusePort = false } = {}) =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        // `exclusive` keeps a cluster worker's socket its own instead of the primary's.
        server.listen({ host, port, ipv6Only: false, exclusive: reusePort, reusePort }, () => {
          server.off('error', reject);
          // Past start-up, a failed accept (EMFILE, say) costs one connection, not the server.
          server.on('error', (error) => {
            stats.countError(errorCode(error));
            reportServerError({ err: error });
          });
          resolve(server.address() as AddressInfo);
        });
      }),
    async stop() {
      clearInterval(idleSweep);
      const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      connections.forEach((connection) => connection.stop());
      const timer = setTimeout(() => {
        connections.forEach((connection) => connection.destroy('server stopping'));
      }, DRAIN_MS);
      // Each connection's own close, not the server's: the server reports closed before the
      // sockets' close events run, and those write the per-connection log lines.
      const connectionsClosed = new Promise<void>((resolve) => {
        if (connections.size === 0) resolve();
        else allClosed = resolve;
      });
      await Promise.all([listenerClosed, connectionsClosed]);
      clearTimeout(timer);
    },
  };
}

/** What every connection of one server shares, made once with the server. */
interface ServerContext {
  readonly options: TcpServerOptions;
  readonly stats: ServiceStats;
  /** The logger's levels, read once: a connection may live for less than a millisecond. */
  readonly debug: boolean;
  readonly trace: boolean;
  /** Called once a connection's socket has closed and its close has been logged. */
  onClose(connection: TcpConnection): void;
}

/**
 * One client, read top to bottom: bytes arrive in `onData`, the engine turns them into the
 * replies they complete, `write` sends those back. Nothing else stands in between: no stream
 * stage, no queue of ours. The socket's own buffer is the only one, and backpressure is
 * explicit, as in Node's http server: when `socket.write` refuses more, we stop reading; when
 * the socket drains, we read again, and the kernel's window slows the peer meanwhile.
 */
class TcpConnection implements Linked<TcpConnection> {
  /** This connection's place in the server's list of open ones (connection-list.ts). */
  prev: TcpConnection | undefined = undefined;
  next: TcpConnection | undefined = undefined;
  private bytesIn = 0;
  private bytesOut = 0;
  /** The engine's message count already added to the server's stats. */
  private messagesCounted = 0;
  private readonly startedAt: number;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The line in progress: bytes since the last LF, and when its first byte came. */
  private lineBytes = 0;
  private lineStartedAt = 0;
  private slowLineTimer: NodeJS.Timeout | undefined;
  /** Idle sweeps since the last traffic either way. */
  private idleSweeps = 0;
  /** Reading is paused because the socket refused a write; `drain` resumes it. */
  private waitingForDrain = false;
  /** A graceful stop has begun: what arrives from now on is not answered. */
  private stopping = false;
  private readonly remoteAddress: string | undefined;
  private readonly remotePort: number | undefined;
  /** The first cause wins: an error after `server stopping` is a consequence, not the reason. */
  private reason: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly engine: ReplyEngine,
    private readonly server: ServerContext,
    /** The peer's address when a per-address cap counts it, else undefined. */
    readonly address: string | undefined,
  ) {
    const { stats } = server;
    stats.connectionsAccepted++;
    stats.connectionsOpen++;
    this.startedAt = server.debug ? performance.now() : 0;
    // Read now, as a destroyed socket no longer knows its peer; and only when a line will say
    // it: the first read is a getpeername(2) (Node keeps the answer for later reads).
    if (server.debug) {
      this.remoteAddress = peerAddress(socket.remoteAddress);
      this.remotePort = socket.remotePort;
      // The textbook's picture: the welcoming socket has handed this client a connection socket
      // of its own, on the server's port, for this client's address and port alone.
      server.options.logger.debug({ ...this.peer(), localAddress: peerAddress(socket.localAddress), localPort: socket.localPort }, 'connection accepted');
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.onDrain());
    // Resets and broken pipes are what peers do; they end this connection and nothing else.
    socket.on('error', (error) => {
      const code = errorCode(error);
      stats.countError(code);
      this.setReason(code);
    });
    // 'on', not 'once': close comes once, and once() wraps the listener per connection.
    socket.on('close', () => {
      clearTimeout(this.flushTimer);
      clearTimeout(this.slowLineTimer);
      stats.connectionsOpen--;
      this.logClose();
      server.onClose(this);
    });
  }

  /** Bytes from the peer: every reply they complete goes out at once. */
  private onData(chunk: Buffer): void {
    if (this.stopping) return;
    this.idleSweeps = 0;
    this.bytesIn += chunk.length;
    this.server.stats.bytesReceived += chunk.length;
    if (this.server.trace) this.server.options.logger.trace({ ...this.peer(), text: chunk.toString('utf8') }, 'bytes received');
    this.write(this.engine.feed(chunk));
    // Only a chunk that leaves a message open needs the idle flush; pipelined traffic, whose
    // chunks end at a newline, never arms it.
    if (this.engine.open) this.armFlush();
    else this.disarmFlush();
    if (this.server.options.minLineRate > 0) this.trackLine(chunk);
  }

  /**
   * Every byte restarts the idle timeout, so a peer sending a byte now and then could hold its
   * connection for ever, and enough such peers every slot of the server. A line in progress,
   * from its first byte to its LF, must therefore keep arriving: once it has been open for
   * `slowLineMs`, at `minLineRate` bytes a second on average, as Apache's mod_reqtimeout asks
   * of a request. A line of any length passes as long as it keeps coming; an idle connection
   * between lines is the idle timeout's business.
   */
  private trackLine(chunk: Buffer): void {
    if (!this.engine.open) {
      // The chunk ended at a line end, as pipelined traffic does: no line is in progress.
      this.lineBytes = 0;
      this.clearSlowLineTimer();
      return;
    }
    const lf = chunk.lastIndexOf(LF);
    if (lf === -1 && this.lineBytes > 0) {
      this.lineBytes += chunk.length;
    } else {
      // A new line starts in this chunk, on its own clock. A check already armed for the line
      // before it stays: it finds this one younger and comes back when this one is due.
      this.lineBytes = lf === -1 ? chunk.length : chunk.length - lf - 1;
      this.lineStartedAt = performance.now();
    }
    this.slowLineTimer ??= setTimeout(() => this.checkLineRate(), this.server.options.slowLineMs);
  }

  /**
   * The line is cut at the moment it falls short, or at most SLOW_LINE_RECHECK_MS later: at
   * `slowLineMs`, or later, once the bytes it has sent no longer cover the time at `minLineRate`.
   * A check that finds the line still covered comes back exactly when that cover runs out.
   */
  private checkLineRate(): void {
    this.slowLineTimer = undefined;
    if (this.lineBytes === 0) return;
    const { slowLineMs, minLineRate } = this.server.options;
    const elapsed = performance.now() - this.lineStartedAt;
    // What has arrived covers the rate until then.
    const coveredUntil = Math.max(slowLineMs, (this.lineBytes / minLineRate) * 1000);
    // Not the peer's doing while we are not reading: our replies wait for it to read them.
    if (elapsed + TIMER_SLACK_MS >= coveredUntil && !this.waitingForDrain) {
      this.server.stats.countError('line_too_slow');
      this.destroy('line too slow');
      return;
    }
    this.slowLineTimer = setTimeout(() => this.checkLineRate(), Math.max(coveredUntil - elapsed, SLOW_LINE_RECHECK_MS));
  }

  private clearSlowLineTimer(): void {
    if (this.slowLineTimer === undefined) return;
    clearTimeout(this.slowLineTimer);
    this.slowLineTimer = undefined;
  }

  /** The peer half-closed: its unterminated tail is a message too; answer it, then end our side. */
  private onEnd(): void {
    if (this.stopping) return;
    this.flush();
    this.socket.end();
  }

  /** Sends what the engine returned, and counts the messages it completed since the last call. */
  private write(out: Buffer | undefined): void {
    const { messages } = this.engine;
    this.server.stats.messages += messages - this.messagesCounted;
    this.messagesCounted = messages;
    if (out === undefined) return;
    this.idleSweeps = 0;
    this.bytesOut += out.length;
    this.server.stats.bytesSent += out.length;
    const accepted = this.socket.write(out);
    // All of it went to the kernel at once: nothing holds `out` now, so its memory is reused.
    if (this.socket.writableLength === 0) this.engine.release(out);
    if (!accepted && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.socket.pause();
    }
  }

  private onDrain(): void {
    this.idleSweeps = 0;
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.socket.resume();
    // The flush waited while we were not reading (see onFlushTimer): time the silence afresh.
    if (this.engine.open) this.armFlush();
  }

  /** Ends an open message with terminator `none` and sends what it still owes. */
  private flush(): void {
    this.disarmFlush();
    this.write(this.engine.flush());
  }

  private armFlush(): void {
    if (this.flushTimer) this.flushTimer.refresh();
    else this.flushTimer = setTimeout(() => this.onFlushTimer(), this.server.options.flushMs);
  }

  private disarmFlush(): void {
    if (this.flushTimer === undefined) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /**
   * The silence looks long enough, but look before flushing: Node runs expired timers before
   * it polls for I/O, so after a stall (a starved machine, a long GC) the rest of the message
   * may already wait in the socket. `setImmediate` runs after the next poll; bytes read by then
   * continue the message, re-arm the timer, and the flush is dropped.
   */
  private onFlushTimer(): void {
    this.flushTimer = undefined;
    const bytesSeen = this.bytesIn;
    setImmediate(() => {
      if (this.bytesIn !== bytesSeen || this.flushTimer !== undefined || this.stopping || this.socket.destroyed) return;
      // Paused for backpressure, it is we who are not reading: the rest of the message may
      // wait in the kernel, and ending it here would split it in two (count-s answered `sss`
      // then its LF with `30`). onDrain re-arms the timer.
      if (this.waitingForDrain) return;
      if (this.socket.readableEnded || this.socket.writableEnded) return;
      this.flush();
    });
  }

  /**
   * Graceful stop: read nothing more, answer every byte already received (an unterminated
   * tail included), then end our side. Whatever the peer still sends is discarded.
   */
  stop(): void {
    this.setReason('server stopping');
    if (this.stopping || this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.pause();
    // Bytes read from the kernel but held back while a write waited for drain were received
    // too: each `read()` hands them to onData.
    while (this.socket.read() !== null);
    this.stopping = true;
    this.flush();
    this.socket.end();
    // Flowing, with onData ignoring it, input is dropped, so the peer's FIN can arrive and the
    // socket close.
    this.waitingForDrain = false;
    this.socket.resume();
  }

  /**
   * One idle sweep (see IDLE_SWEEP_MS). The first sweep after traffic may come at once, so the
   * connection has been idle the whole timeout only once `sweeps` more have passed.
   */
  sweepIdle(sweeps: number): void {
    if (++this.idleSweeps > sweeps) this.destroy('idle timeout');
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
    if (!this.server.debug) return;
    this.server.options.logger.debug(
      {
        ...this.peer(),
        bytesIn: this.bytesIn,
        bytesOut: this.bytesOut,
        messages: this.engine.messages,
        durationMs: Math.round(performance.now() - this.startedAt),
        reason: this.reason ?? 'peer closed',
      },
      'connection closed',
    );
  }
}
