import { lookup } from 'node:dns/promises';
import { ConnectError } from '@sockets/cli';
import type { ServerAddress } from './udp-requester';

/**
 * Every address `host` names, in the resolver's order (an IP literal is its own only address).
 * All are kept: UDP has no handshake, so the client learns which one has a server only by trying.
 */
export async function resolveServer(host: string): Promise<ServerAddress[]> {
  try {
    const found = await lookup(host, { all: true });
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOTFOUND' ? 'no such host' : code === 'EAI_AGAIN' ? 'name resolution failed, try again' : (error as Error).message;
    throw new ConnectError(`cannot resolve ${host}: ${why}`);
  }
}
