import { createSocket } from 'node:dgram';

export interface UdpBurstOptions {
  host?: string;
  /** Sockets sending at once, each from its own port (default 8). */
  sockets?: number;
  /** Datagrams each socket sends (default 20). */
  perSocket?: number;
  /** How long to wait for the replies after the last send (default 2 s). */
  waitMs?: number;
}

/**
 * Sends `perSocket` datagrams from each of `sockets` sockets, all at once, and collects the
 * replies until every datagram is answered or `waitMs` has passed. Datagram `i` of socket `s`
 * is `message(s, i)`. Resolves with the count sent and the replies, as text, in arrival order.
 */
export async function udpBurst(
  port: number,
  message: (socket: number, index: number) => string,
  options: UdpBurstOptions = {},
): Promise<{ sent: number; replies: string[] }> {
  const { host = '127.0.0.1', sockets = 8, perSocket = 20, waitMs = 2000 } = options;
  const replies: string[] = [];
  const sent = sockets * perSocket;
  const opened = Array.from({ length: sockets }, () => createSocket(host.includes(':') ? 'udp6' : 'udp4'));
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      for (const [s, socket] of opened.entries()) {
        // An ICMP error for a server that has gone is no failure of the burst.
        socket.on('error', () => undefined);
        socket.on('message', (reply) => {
          replies.push(reply.toString('utf8'));
          if (replies.length === sent) {
            clearTimeout(timer);
            resolve();
          }
        });
        for (let i = 0; i < perSocket; i++) socket.send(message(s, i), port, host);
      }
    });
  } finally {
    for (const socket of opened) socket.close();
  }
  return { sent, replies };
}
