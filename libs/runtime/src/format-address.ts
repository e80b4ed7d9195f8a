/** `host:port`, with IPv6 literals in brackets so the port stays unambiguous. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A peer's address as its own side would write it: a dual-stack socket sees an IPv4 peer as
 * `::ffff:127.0.0.1`, which the client that sent from 127.0.0.1 would not recognise.
 */
export function peerAddress(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
