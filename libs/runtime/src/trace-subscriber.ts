import { isIP } from 'node:net';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  clientChannels,
  type ReplyMessage,
  type ResolveMessage,
  type SendMessage,
  type TcpConnectMessage,
  type TcpGaveUpMessage,
  type TcpPeerClosedMessage,
  type TcpProgressMessage,
  type UdpIgnoredMessage,
  type UdpRefusedMessage,
  type UdpSocketClosedMessage,
  type UdpSocketMessage,
  type UdpTimeoutMessage,
} from './client-channels';
import type { ClientTrace } from './client-trace';
import { errorCode } from './describe-socket-error';
import { formatAddress } from './format-address';

/**
 * Turns what the clients publish (client-channels.ts) into the trace's events: it times each
 * message when it arrives, pairs replies with the sends they answer for round trips, and tells
 * the story of how a TCP connection ended from who closed what, and when. Returns the call that
 * stops listening.
 */
export function subscribeTrace(trace: ClientTrace): () => void {
  /** When each message of a client was last sent: TCP replies come in order, UDP's name their message. */
  const sentAt = new WeakMap<object, Map<number, number>>();
  const sendsOf = (client: object): Map<number, number> => {
    let sends = sentAt.get(client);
    if (!sends) sentAt.set(client, (sends = new Map()));
    return sends;
  };
  /** TCP, per connection: who ended their side first and how, then how the other side ended. */
  const closes = new Map<object, { first: 'client' | 'server'; how: string; then?: string; gaveUp?: string }>();
  const closedBy = (client: object, who: 'client' | 'server', how: string): void => {
    const close = closes.get(client);
    if (!close) closes.set(client, { first: who, how });
    else close.then ??= how;
  };

  const handlers: Array<[{ name: string | symbol }, (message: never) => void]> = [
    [clientChannels.resolve, ({ host, addresses }: ResolveMessage) => trace.emit({ event: 'resolve', host, addresses })],
    [
      clientChannels.send,
      ({ client, message, data, attempt, to, inFlight }: SendMessage) => {
        trace.emit({ event: 'send', message, bytes: data.length, data, to, attempt, inFlight });
        sendsOf(client).set(message, trace.now());
      },
    ],
    [
      clientChannels.reply,
      ({ client, message, bytes, data, attempt, from, inFlight }: ReplyMessage) => {
        const sends = sendsOf(client);
        const rttMs = trace.now() - (sends.get(message) ?? 0);
        sends.delete(message);
        trace.emit({ event: 'reply', message, bytes, data, rttMs, from, attempt, inFlight });
      },
    ],
    [clientChannels.tcpConnect, (message: TcpConnectMessage) => traceConnect(message, trace)],
    [
      clientChannels.tcpHalfClose,
      ({ client, sent, received }: TcpProgressMessage) => {
        closedBy(client, 'client', 'half-close');
        trace.emit({ event: 'half-close', sent, received });
      },
    ],
    [
      clientChannels.tcpPeerClosed,
      ({ client, how, sent, received }: TcpPeerClosedMessage) => {
        trace.emit({ event: 'peer-closed', how, sent, received });
        closedBy(client, 'server', how);
      },
    ],
    [
      clientChannels.tcpGaveUp,
      ({ client, error }: TcpGaveUpMessage) => {
        closedBy(client, 'client', 'gave-up');
        (closes.get(client) as { gaveUp?: string }).gaveUp = error;
      },
    ],
    [
      clientChannels.tcpClosed,
      ({ client, sent, received }: TcpProgressMessage) => {
        const { first, how, then, gaveUp } = closes.get(client) ?? { first: 'client' as const, how: 'done' };
        closes.delete(client);
        trace.emit({ event: 'closed', first, how, then, sent, received, error: gaveUp });
      },
    ],
    [clientChannels.udpSocket, ({ local, remote }: UdpSocketMessage) => trace.emit({ event: 'socket', local, remote })],
    [clientChannels.udpSocketClosed, ({ local }: UdpSocketClosedMessage) => trace.emit({ event: 'socket-closed', local, reason: 'retransmitted' })],
    [
      clientChannels.udpTimeout,
      ({ message, attempt, attempts, waitedMs, nextWaitMs }: UdpTimeoutMessage) =>
        trace.emit(
          nextWaitMs === undefined
            ? { event: 'gave-up', message, attempts, waitedMs }
            : { event: 'retransmit', message, attempt: attempt + 1, attempts, waitedMs, nextWaitMs },
        ),
    ],
    [
      clientChannels.udpIgnored,
      ({ reason, from, data }: UdpIgnoredMessage) => trace.emit({ event: 'ignored', reason, bytes: data.length, from, data }),
    ],
    [clientChannels.udpRefused, ({ to, next }: UdpRefusedMessage) => trace.emit({ event: 'refused', to, next })],
  ];
  for (const [{ name }, handler] of handlers) subscribe(name, handler as (message: unknown) => void);
  return () => {
    for (const [{ name }, handler] of handlers) unsubscribe(name, handler as (message: unknown) => void);
  };
}

/**
 * What the kernel and Node do on the way to a connection, as the socket reports it: the
 * addresses the name stood for, each handshake tried, the one that succeeded.
 */
function traceConnect({ socket, host }: TcpConnectMessage, trace: ClientTrace): void {
  const addresses: string[] = [];
  let resolved = false;
  let attemptAt = 0;
  socket.on('lookup', (error: Error | null, address: string) => {
    if (!error) addresses.push(address);
  });
  socket.on('connectionAttempt', (ip: string, port: number) => {
    if (!resolved) {
      resolved = true;
      trace.emit({ event: 'resolve', host, addresses: isIP(host) ? [host] : addresses });
    }
    attemptAt = trace.now();
    trace.emit({ event: 'connecting', to: formatAddress(ip, port) });
  });
  socket.on('connectionAttemptFailed', (ip: string, port: number, _family: number, error: Error) => {
    trace.emit({ event: 'connect-failed', to: formatAddress(ip, port), code: errorCode(error) ?? error.message });
  });
  socket.on('connectionAttemptTimeout', (ip: string, port: number) => {
    trace.emit({ event: 'connect-failed', to: formatAddress(ip, port), code: 'ETIMEDOUT' });
  });
  socket.once('connect', () => {
    trace.emit({
      event: 'connected',
      local: formatAddress(socket.localAddress ?? '?', socket.localPort ?? 0),
      remote: formatAddress(socket.remoteAddress ?? '?', socket.remotePort ?? 0),
      handshakeMs: trace.now() - attemptAt,
    });
  });
}
