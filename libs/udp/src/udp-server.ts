import { createSocket, type RemoteInfo, type Socket, type SocketOptions } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { rateLimitedWarning, type Logger } from '@sockets/logging';
import type { TransformName } from '@sockets/transform';
import { MAX_DATAGRAM_PAYLOAD, ReplyEngine } from '@sockets/wire-codec';
import { errorCode, peerAddress, ServiceStats, type Service } from '@sockets/runtime';

export interface UdpServerOptions {
  transform: TransformName;
  /**
   * For learning and testing: the fraction of datagrams dropped unanswered, evenly spread, as a
   * lossy network would (udp-client's retransmissions then show). 0 in any real use.
   */
  dropRate?: number;
  logger: Logger;
}

/**
 * Whether datagram `index` (from 0) is one of the `rate` dropped: evenly spread and the same on
 * every run, so a lesson or a test sees the same losses each time. With 0.5 the 1st, 3rd, 5th
 * ... are dropped; with 1, all.
 */
export function dropped(index: number, rate: number): boolean {
  return Math.ceil((index + 1) * rate) > Math.ceil(index * rate);
}

const EMPTY = Buffer.alloc(0);

/**
 * The UDP server, and its whole data path, read top to bottom in `onMessage`: one datagram in,
 * the engine's reply to it, one datagram back to the address and port it came from. UDP keeps
 * no connection and promises no delivery, so there is no backpressure to apply: a datagram the
 * kernel cannot queue is dropped, and the client's retransmission covers it.
 */
export function createUdpServer(options: UdpServerOptions): Service {
  const { logger } = options;
  const stats = new ServiceStats();
  const engine = new ReplyEngine(options.transform, 'datagram');
  const trace = logger.isLevelEnabled('trace');
  const debug = logger.isLevelEnabled('debug');
  let socket: Socket | undefined;
  // Any peer can cause these as often as it likes: a line a second, with a count.
  const warnTooLarge = rateLimitedWarning(logger, 'reply too large for one datagram, not sent');
  const warnSocketError = rateLimitedWarning(logger, 'socket error');

  const dropRate = options.dropRate ?? 0;
  let received = 0;
  const onMessage = (message: Buffer, peer: RemoteInfo): void => {
    stats.bytesReceived += message.length;
    if (dropRate > 0 && dropped(received++, dropRate)) {
      stats.countError('dropped_on_purpose');
      if (debug) logger.debug({ remoteAddress: peerAddress(peer.address), remotePort: peer.port, bytesIn: message.length, dropRate }, 'datagram dropped (--drop-rate)');
      return;
    }
    if (trace) logger.trace({ remoteAddress: peerAddress(peer.address), text: message.toString('utf8') }, 'datagram text');
    const reply = engine.feed(message) ?? EMPTY;
    if (reply.length > MAX_DATAGRAM_PAYLOAD.udp4 && reply.length > replyLimit(peer)) {
      // `upper` can grow a message (ß becomes SS): a reply may not fit where its request did.
      stats.countError('reply_too_large');
      warnTooLarge({ remoteAddress: peerAddress(peer.address), remotePort: peer.port, bytesIn: message.length, bytesOut: reply.length, maxBytes: replyLimit(peer) });
      return;
    }
    const sending = socket as Socket;
    sending.send(reply, peer.port, peer.address);
    // With the lookup below the send happens inside the call: an empty queue means the kernel
    // has the datagram, nothing holds `reply`, and its memory takes the next reply.
    if (sending.getSendQueueCount() === 0) engine.release(reply);
    stats.messages++;
    stats.bytesSent += reply.length;
    if (debug) {
      logger.debug({ remoteAddress: peerAddress(peer.address), remotePort: peer.port, bytesIn: message.length, bytesOut: reply.length }, 'datagram answered');
    }
  };

  return {
    stats,
    listen: (host, port, { reusePort = false } = {}) =>
      new Promise<AddressInfo>((resolve, reject) => {
        const type = isIPv6(host) || host === '::' ? 'udp6' : 'udp4';
        // reusePort is Node 22.12's; the types this workspace builds with (Node 20's) lack it.
        const lookup = lookupAsIs(type === 'udp6' ? 6 : 4);
        const bound = createSocket({ type, ipv6Only: false, lookup, reusePort } as SocketOptions);
        bound.on('message', onMessage);
        bound.once('error', reject);
        // Without reusePort, cluster workers share the primary's one socket (not exclusive).
        bound.bind({ address: host, port, exclusive: reusePort }, () => {
          bound.off('error', reject);
          // Past start-up, no error of one exchange stops the server (an ICMP-driven
          // ECONNREFUSED from a client that went away, say).
          bound.on('error', (error) => {
            stats.countError(errorCode(error));
            warnSocketError({ err: error });
          });
          socket = bound;
          resolve(bound.address());
        });
      }),
    stop: () => new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve())),
  };
}

/**
 * A reply goes to the address its datagram came from, already an IP address of the socket's own
 * family (an IPv4 peer of a dual-stack socket has a mapped `::ffff:` address), so there is
 * nothing to resolve or test. dgram's default lookup would still answer on the next tick,
 * holding every reply until then; answering at once lets the send complete inside `send()`.
 */
function lookupAsIs(family: 4 | 6) {
  return (address: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void): void =>
    callback(null, address, family);
}

/** An IPv4 peer of a dual-stack socket (`::ffff:a.b.c.d`) still gets at most an IPv4 datagram. */
function replyLimit(peer: RemoteInfo): number {
  const ipv6 = peer.family === 'IPv6' && !peer.address.toLowerCase().startsWith('::ffff:');
  return MAX_DATAGRAM_PAYLOAD[ipv6 ? 'udp6' : 'udp4'];
}
