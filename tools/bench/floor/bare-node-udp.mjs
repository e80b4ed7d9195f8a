// The least a Node UDP server can do, as a measuring stick for tools/bench: each datagram's
// ASCII uppercased in place and sent back (`upper`), or its s and S counted and the count sent
// back (`count-s`); no checks, no logging. Only for benchmarks; it is not the product
// (apps/udp-server is). Usage: node bare-node-udp.mjs PORT [upper|count-s]
import { createSocket } from 'node:dgram';

const countS = process.argv[3] === 'count-s';

const socket = createSocket({ type: 'udp6', ipv6Only: false });
socket.on('message', (message, peer) => {
  if (countS) {
    let count = 0;
    for (let i = 0; i < message.length; i++) {
      const c = message[i];
      if (c === 0x73 || c === 0x53) count++;
    }
    socket.send(String(count), peer.port, peer.address);
    return;
  }
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (c >= 0x61 && c <= 0x7a) message[i] = c - 0x20;
  }
  socket.send(message, peer.port, peer.address);
});
socket.bind(Number(process.argv[2]), '::');
