/**
 * The largest UDP payload: over IPv4, 65535 less the 20-byte IP and 8-byte UDP headers; over
 * IPv6 the IP header is not counted in the payload length, so only the UDP header is. Keyed by
 * dgram socket type so a socket's own type picks its limit.
 */
export const MAX_DATAGRAM_PAYLOAD = { udp4: 65_507, udp6: 65_527 } as const;
