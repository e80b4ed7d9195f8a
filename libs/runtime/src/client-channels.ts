import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * What the clients publish as an exchange happens, through `node:diagnostics_channel`, in the
 * manner of undici's `lib/core/diagnostics.js`: the data path says what happened, and whoever
 * listens (the `--verbose` trace, the `--diagram`, a test, an OpenTelemetry bridge) decides what
 * to make of it. With no subscriber a channel costs one `hasSubscribers` read. docs/TRACE.md
 * lists the channels and their messages.
 *
 * Messages carry facts, not wording or timing: a subscriber reads its own clock when a message
 * arrives (publishing is synchronous). `client` is the publisher (a TCP `Session`, a UDP
 * `UdpRequester`), so a subscriber can tell the clients of one process apart.
 */
export const clientChannels = {
  /** What a host name stood for, in the order tried: `{ client, host, addresses }` (UDP; TCP's comes from `tcpConnect`). */
  resolve: channel('sockets:client:resolve'),
  /** A message leaves: `{ client, message, data, attempt?, to?, inFlight? }`. `data` is the bytes as sent. */
  send: channel('sockets:client:send'),
  /** A reply is complete: `{ client, message, bytes, data, attempt?, from?, inFlight? }`; `data` is its first KiB (TCP: with its line end). */
  reply: channel('sockets:client:reply'),

  /** TCP: a socket starts connecting: `{ socket, host, port }`, before its first event (lookup, each attempt, connect). */
  tcpConnect: channel('sockets:tcp:connect'),
  /** TCP: the client has no more messages and sent FIN: `{ client, sent, received }`. */
  tcpHalfClose: channel('sockets:tcp:half-close'),
  /** TCP: the server's side ended: `{ client, how, sent, received }`, `how` being `end` (FIN), `reset` (RST) or an error code. */
  tcpPeerClosed: channel('sockets:tcp:peer-closed'),
  /** TCP: the client gave up on the server: `{ client, error, sent, received }` (a reply timeout). */
  tcpGaveUp: channel('sockets:tcp:gave-up'),
  /** TCP: the client closed the connection, the end of its story: `{ client, sent, received }`. */
  tcpClosed: channel('sockets:tcp:closed'),

  /** UDP: a socket was created and connected to the server (which sends nothing): `{ client, local, remote }`. */
  udpSocket: channel('sockets:udp:socket'),
  /** UDP: the socket was closed after a retransmission, so late copies cannot pass for the next reply: `{ client, local }`. */
  udpSocketClosed: channel('sockets:udp:socket-closed'),
  /** UDP: an attempt's wait expired: `{ client, message, attempt, attempts, waitedMs, nextWaitMs? }`, no `nextWaitMs` on the last. */
  udpTimeout: channel('sockets:udp:timeout'),
  /** UDP: a datagram that is not the reply awaited: `{ client, reason, from, data }`, `reason` `empty-reply` or `no-request`. */
  udpIgnored: channel('sockets:udp:ignored'),
  /** UDP: ICMP port unreachable: `{ client, to, next? }`, `next` the address tried instead. */
  udpRefused: channel('sockets:udp:refused'),
};

export interface ResolveMessage {
  client: object;
  host: string;
  addresses: string[];
}

export interface SendMessage {
  client: object;
  message: number;
  data: Buffer;
  attempt?: number;
  to?: string;
  inFlight?: number;
}

export interface ReplyMessage {
  client: object;
  message: number;
  /** The reply's size; TCP streams a long reply and keeps only its start for `data`. */
  bytes: number;
  data: Buffer;
  attempt?: number;
  from?: string;
  inFlight?: number;
}

export interface TcpConnectMessage {
  socket: Socket;
  host: string;
  port: number;
}

export interface TcpProgressMessage {
  client: object;
  sent: number;
  received: number;
}

export interface TcpPeerClosedMessage extends TcpProgressMessage {
  how: string;
}

export interface TcpGaveUpMessage extends TcpProgressMessage {
  error: string;
}

export interface UdpSocketMessage {
  client: object;
  local: string;
  remote: string;
}

export interface UdpSocketClosedMessage {
  client: object;
  local: string;
}

export interface UdpTimeoutMessage {
  client: object;
  message: number;
  attempt: number;
  attempts: number;
  waitedMs: number;
  nextWaitMs?: number;
}

export interface UdpIgnoredMessage {
  client: object;
  reason: 'empty-reply' | 'no-request';
  from: string;
  data: Buffer;
}

export interface UdpRefusedMessage {
  client: object;
  to: string;
  next?: string;
}
