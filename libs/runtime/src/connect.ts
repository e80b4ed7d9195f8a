import { connect, type Socket } from 'node:net';
import { clientChannels, type TcpConnectMessage } from './client-channels';
import { describeSocketError, errorCode } from './describe-socket-error';
import { ConnectError, ConnectionRefusedError, ResolveError, type SocketsError } from './errors';
import { formatAddress } from './format-address';

/**
 * Opens a TCP connection, name resolution included, within `timeoutMs`, with Nagle off (a
 * line is sent when written). Names resolving to several addresses are tried in turn (Node's
 * autoSelectFamily), so `localhost` works whether the server is on ::1 or 127.0.0.1. Failures
 * are one of the network errors, in the words a user reads.
 */
export function connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const where = formatAddress(host, port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true, autoSelectFamily: true });
    // Before the first event, so a subscriber can listen to the lookup and each handshake tried.
    if (clientChannels.tcpConnect.hasSubscribers) clientChannels.tcpConnect.publish({ socket, host, port } satisfies TcpConnectMessage);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError(`could not connect to ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(connectError(error, host, where));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function connectError(error: Error, host: string, where: string): SocketsError {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return new ConnectionRefusedError(`connection refused by ${where}`, { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ResolveError(`cannot resolve ${host}: ${describeSocketError(error)}`, { cause: error });
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new ConnectError(`cannot reach ${where}: no route`, { cause: error });
  return new ConnectError(`could not connect to ${where}: ${describeSocketError(error)}`, { cause: error });
}
