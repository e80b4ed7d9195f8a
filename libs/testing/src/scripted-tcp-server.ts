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

/** Calls `onLine` with each complete line (without its LF) and its index, as lines arrive. */
export function onLines(socket: Socket, onLine: (line: string, index: number) => void): void {
  let pending = '';
  let index = 0;
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    pending += text;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      onLine(line, index++);
    }
  });
}
