import { formatAddress, peerAddress } from './format-address';

describe('formatAddress', () => {
  it('joins host and port, with IPv6 literals in brackets', () => {
    expect(formatAddress('127.0.0.1', 12000)).toBe('127.0.0.1:12000');
    expect(formatAddress('localhost', 0)).toBe('localhost:0');
    expect(formatAddress('::1', 12000)).toBe('[::1]:12000');
    expect(formatAddress('::', 53)).toBe('[::]:53');
    expect(formatAddress('fe80::1%eth0', 8080)).toBe('[fe80::1%eth0]:8080');
  });
});

describe('peerAddress', () => {
  it('writes an IPv4-mapped peer as IPv4, and every other address as it is', () => {
    expect(peerAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(peerAddress('::FFFF:10.0.0.1')).toBe('::FFFF:10.0.0.1');
    expect(peerAddress('::1')).toBe('::1');
    expect(peerAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(peerAddress('::ffff:1')).toBe('::ffff:1');
    expect(peerAddress(undefined)).toBeUndefined();
  });
});
