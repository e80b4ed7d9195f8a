import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A port free for both TCP and UDP on every local address, because the server under test may
 * bind either protocol or both, on `::` or on `0.0.0.0`. There is a window between closing the
 * probe sockets and the server binding; the caller's readiness probe catches the rare loss.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const tcp = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ port: 0, host: '::', ipv6Only: false, exclusive: true }, () => {
        const address = tcp.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    }).catch(() => listenV4(tcp));
    const udpFree = await new Promise<boolean>((resolve) => {
      const udp = createSocket({ type: 'udp6', ipv6Only: false });
      udp.once('error', () => {
        udp.close();
        resolve(false);
      });
      udp.bind({ port, address: '::', exclusive: true }, () => udp.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree && port > 0) return port;
  }
  throw new Error('no port free for both TCP and UDP after 50 tries');
}

function listenV4(tcp: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen({ port: 0, host: '0.0.0.0', exclusive: true }, () => {
      const address = tcp.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}
