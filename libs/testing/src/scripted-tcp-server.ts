import { createServer, type Socket } from 'node:net';

export interface ScriptedServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A loopback TCP server that misbehaves as a client test scripts it to: answers some lines and
 * not others, closes early, resets. `handler` gets every accepted socket.
 */
export function startScriptedServer(handler: (socket: Socket) => void): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    handler(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Scripted servers for the tests of one describe block: the function returned starts one with
 * `handler` and gives its port, and every server started is closed after each test.
 */
export function scriptedServers(): (handler: (socket: Socket) => void) => Promise<number> {
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (handler) => {
    const server = await startScriptedServer(handler);
    servers.push(server);
    return server.port;
  };
}
