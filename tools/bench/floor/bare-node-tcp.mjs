// The least a Node TCP server can do for `upper`, as a measuring stick for tools/bench: ASCII
// uppercased in place as bytes arrive, no framing, no UTF-8, no timers, no logging. Only for
// benchmarks; it is not the product (apps/tcp-server is). Usage: node bare-node-tcp.mjs PORT
import { createServer } from 'node:net';

const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
  socket.on('data', (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c >= 0x61 && c <= 0x7a) chunk[i] = c - 0x20;
    }
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
});
server.listen({ port: Number(process.argv[2]), host: '::', ipv6Only: false });
