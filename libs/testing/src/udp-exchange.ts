import { createSocket } from 'node:dgram';

export interface UdpExchangeOptions {
  /** Where the server listens (default 127.0.0.1); an IPv6 literal sends from a udp6 socket. */
  host?: string;
  /** Sends in all, the first included (default 3). */
  attempts?: number;
  /** Wait for a reply before sending again (default 3 s). */
  waitMs?: number;
}

/**
 * One request and its reply, from a fresh socket (so no earlier reply can be mistaken for this
 * one). Loopback rarely drops a datagram, but a busy machine may: the message is sent again a
 * bounded number of times before the exchange fails.
 */
export function udpExchange(port: number, message: Buffer | string, options: UdpExchangeOptions = {}): Promise<Buffer> {
  const { host = '127.0.0.1', attempts = 3, waitMs = 3000 } = options;
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const payload = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return new Promise<Buffer>((resolve, reject) => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (error: Error | undefined, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(reply as Buffer);
    };
    const send = () => {
      if (sent === attempts) return finish(new Error(`no reply from ${host}:${port} after ${attempts} attempts`));
      sent++;
      socket.send(payload, port, host, (error) => error && finish(error));
      timer = setTimeout(send, waitMs);
    };
    socket.once('message', (reply) => finish(undefined, reply));
    socket.once('error', (error) => finish(error));
    send();
  });
}
