/**
 * Why a server could not bind or listen, in words a user can act on. Shared by both servers so
 * `port in use` reads the same whichever transport hit it.
 */
export function describeListenError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EACCES':
      return 'permission denied';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'cannot resolve the address';
    default:
      return error.message;
  }
}
