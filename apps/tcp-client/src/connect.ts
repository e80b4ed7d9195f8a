import { connect as netConnect, type Socket } from 'node:net';
import { ConnectError, formatAddress } from '@sockets/cli';

/**
 * Opens a connection, name resolution included, within `timeoutMs`. Failures become one
 * ConnectError that says what went wrong and where. Names resolving to several addresses are
 * tried in turn (Node's autoSelectFamily), so `localhost` works whether the server is on ::1 or
 * 127.0.0.1.
 */
export function connect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const where = formatAddress(host, port);
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, noDelay: true, autoSelectFamily: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError(`could not connect to ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      reject(new ConnectError(describeConnectError(error, host, where)));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function describeConnectError(error: NodeJS.ErrnoException, host: string, where: string): string {
  // With several addresses tried, Node reports an AggregateError; its first cause is the story.
  const cause = (error as Error & { errors?: NodeJS.ErrnoException[] }).errors?.[0] ?? error;
  switch (error.code ?? cause.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host}`;
    case 'ETIMEDOUT':
      return `could not connect to ${where}: timed out`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach ${where}: no route`;
    default:
      return `could not connect to ${where}: ${cause.message}`;
  }
}
