// The least a Node UDP server can do for `upper`, as a measuring stick for tools/bench: each
// datagram's ASCII uppercased in place and sent back, no checks, no logging. Only for
// benchmarks; it is not the product (apps/udp-server is). Usage: node bare-node-udp.mjs PORT
import { createSocket } from 'node:dgram';

const socket = createSocket({ type: 'udp6', ipv6Only: false });
socket.on('message', (message, peer) => {
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (c >= 0x61 && c <= 0x7a) message[i] = c - 0x20;
  }
  socket.send(message, peer.port, peer.address);
});
socket.bind(Number(process.argv[2]), '::');
