// The least a Node TCP server can do, as a measuring stick for tools/bench. `upper`: ASCII
// uppercased in place as bytes arrive, no framing, no UTF-8. `count-s`: the s and S of each line
// counted byte by byte, the count and an LF written at each LF. No CRLF, no idle flush, no
// timers, no logging. Only for benchmarks; it is not the product (apps/tcp-server is).
// Usage: node bare-node-tcp.mjs PORT [upper|count-s]
import { createServer } from 'node:net';

const countS = process.argv[3] === 'count-s';

const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
  let count = 0;
  socket.on('data', (chunk) => {
    let reply = chunk;
    if (countS) {
      reply = '';
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === 0x0a) {
          reply += `${count}\n`;
          count = 0;
        } else if (c === 0x73 || c === 0x53) count++;
      }
      if (reply === '') return;
    } else {
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c >= 0x61 && c <= 0x7a) chunk[i] = c - 0x20;
      }
    }
    if (!socket.write(reply, 'latin1')) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
});
server.listen({ port: Number(process.argv[2]), host: '::', ipv6Only: false });
