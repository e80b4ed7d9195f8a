/**
 * What a socket error means, in words a user can act on: `address already in use`, not
 * `listen EADDRINUSE: address already in use :::12000`. The one wording for every program, so a
 * refused connection or a port in use reads the same whichever transport met it.
 */
export function describeSocketError(error: unknown): string {
  const cause = firstCause(error);
  switch (cause.code) {
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EACCES':
      return 'permission denied';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'ENOTFOUND':
      return 'no such host';
    case 'EAI_AGAIN':
      return 'name resolution failed, try again';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection closed';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route';
    default:
      return cause.message;
  }
}

/** The errno code of a socket error (`ECONNRESET`), for logs and metrics. */
export function errorCode(error: unknown): string {
  const cause = firstCause(error);
  return cause.code ?? cause.message;
}

/** With several addresses tried, Node reports an AggregateError: its first cause is the story. */
function firstCause(error: unknown): NodeJS.ErrnoException {
  const errnoError = error as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  if (errnoError.code === undefined && errnoError.errors?.length) return errnoError.errors[0];
  return errnoError;
}
