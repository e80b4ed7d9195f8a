// UDP: the server's data path (datagram in, reply out) and the client's stop-and-wait
// requests with retransmission.
export { createUdpServer, type UdpServerOptions } from './udp-server';
export { runUdpClient, UdpRequester, exchangeAll, resolveServer, type UdpClientOptions, type UdpRequesterOptions, type ServerAddress } from './udp-client';
