import type { AddressInfo } from 'node:net';

/**
 * What a server counts, as plain numbers: the data path adds to them per chunk or datagram,
 * which costs nothing measurable, and `/metrics` reads them only when scraped.
 */
export class ServiceStats {
  messages = 0;
  bytesReceived = 0;
  bytesSent = 0;
  connectionsAccepted = 0;
  connectionsRejected = 0;
  connectionsOpen = 0;
  /** By reason: an errno code (`ECONNRESET`) or a name of ours (`reply_too_large`). */
  readonly errors = new Map<string, number>();

  countError(reason: string): void {
    this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1);
  }
}

/** One transport's server, as `serve` drives it: the same start, stop and reporting for both. */
export interface Service {
  /**
   * Binds or listens; rejects with the system's error (EADDRINUSE, ...). With `reusePort`,
   * the socket is this process's own, one of several on the port (SO_REUSEPORT), rather than
   * one a cluster primary shares out.
   */
  listen(host: string, port: number, options?: { reusePort?: boolean }): Promise<AddressInfo>;
  /** Graceful: stop taking work, send every reply owed for input already received. */
  stop(): Promise<void>;
  readonly stats: ServiceStats;
}
