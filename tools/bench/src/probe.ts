import { createSocket } from 'node:dgram';
import { isIPv6, connect } from 'node:net';
import type { Protocol } from './scenarios';

/** One exchange: true if the server answered anything at all. */
function probeOnce(protocol: Protocol, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean, close: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      resolve(ok);
    };
    let close: () => void;
    if (protocol === 'tcp') {
      const socket = connect({ host, port, noDelay: true });
      close = () => socket.destroy();
      socket.on('connect', () => socket.end('ping\n'));
      // A connect to a free ephemeral port on loopback can meet itself and echo the ping back.
      socket.on('data', () => finish(socket.localPort !== port, close));
      socket.on('error', () => finish(false, close));
      socket.on('close', () => finish(false, close));
    } else {
      const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      close = () => socket.close();
      socket.on('error', () => finish(false, close));
      socket.on('message', () => finish(socket.address().port !== port, close));
      socket.connect(port, host, () => socket.send('ping'));
    }
    const timer = setTimeout(() => finish(false, close), protocol === 'tcp' ? 2000 : 250);
  });
}

/**
 * Waits until the server answers on `protocol`, trying again every 50 ms, for at most
 * `timeoutMs`; gives up early once `stillRunning` says the server is gone.
 */
export async function waitUntilServing(
  protocol: Protocol,
  host: string,
  port: number,
  timeoutMs: number,
  stillRunning: () => boolean,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && stillRunning()) {
    if (await probeOnce(protocol, host, port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
