// TCP: the server's data path (socket -> engine -> socket, with backpressure, idle flush and
// half-close) and the client that pipelines lines over one connection.
export { createTcpServer, type TcpServerOptions } from './tcp-server';
export { runTcpClient, Session, type TcpClientOptions, type SessionOptions } from './tcp-client';
