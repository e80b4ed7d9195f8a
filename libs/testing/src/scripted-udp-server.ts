import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface ReceivedDatagram {
  message: Buffer;
  from: RemoteInfo;
}

export interface ScriptedUdpServer {
  socket: Socket;
  address: string;
  port: number;
  /** Every datagram so far, in order of arrival. */
  received: ReceivedDatagram[];
  /** Replies to `to` from this server's socket. */
  reply(to: RemoteInfo, message: Buffer | string): void;
  close(): void;
}

/**
 * An in-test UDP server whose behaviour the test scripts: `handle` sees each datagram with its
 * index (0 for the first) and decides whether and how to answer: drop it, answer late, answer
 * twice, answer from another socket. Binds 127.0.0.1 (or `host`) on port 0 unless told a port.
 */
export function startScriptedUdpServer(
  handle: (datagram: ReceivedDatagram, index: number, server: ScriptedUdpServer) => void,
  options: { host?: string; port?: number } = {},
): Promise<ScriptedUdpServer> {
  const host = options.host ?? '127.0.0.1';
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: ReceivedDatagram[] = [];
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port: options.port ?? 0, exclusive: true }, () => {
      socket.off('error', reject);
      // A reply to a client that has gone (ICMP port unreachable) must not end the test run.
      socket.on('error', () => undefined);
      let closed = false;
      const server: ScriptedUdpServer = {
        socket,
        address: host,
        port: socket.address().port,
        received,
        reply: (to, message) => {
          if (!closed) socket.send(message, to.port, to.address);
        },
        close: () => {
          if (closed) return;
          closed = true;
          socket.close();
        },
      };
      socket.on('message', (message: Buffer, from: RemoteInfo) => {
        const datagram = { message, from };
        received.push(datagram);
        handle(datagram, received.length - 1, server);
      });
      resolve(server);
    });
  });
}
