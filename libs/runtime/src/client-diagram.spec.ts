import { PassThrough } from 'node:stream';
import { createClientView, DiagramWriter, escape } from './client-diagram';

function drawn(protocol: 'udp' | 'tcp', draw: (diagram: DiagramWriter) => void): string[] {
  const output = new PassThrough();
  let written = '';
  output.setEncoding('utf8');
  output.on('data', (text: string) => (written += text));
  const diagram = new DiagramWriter(output, protocol);
  draw(diagram);
  diagram.summary();
  diagram.summary();
  return written.trimEnd().split('\n');
}

describe('DiagramWriter', () => {
  it('draws a UDP exchange with a retransmission as a Mermaid sequence diagram, once', () => {
    const lines = drawn('udp', (d) => {
      d.emit({ event: 'socket', local: '127.0.0.1:50000', remote: '127.0.0.1:12000' });
      d.emit({ event: 'send', message: 1, attempt: 1, bytes: 5, to: '127.0.0.1:12000', data: Buffer.from('hello') });
      d.emit({ event: 'retransmit', message: 1, attempt: 2, attempts: 4, waitedMs: 50, nextWaitMs: 100 });
      d.emit({ event: 'send', message: 1, attempt: 2, bytes: 5, to: '127.0.0.1:12000', data: Buffer.from('hello') });
      d.emit({ event: 'reply', message: 1, attempt: 2, bytes: 5, from: '127.0.0.1:12000', rttMs: 0.4, data: Buffer.from('HELLO') });
    });
    expect(lines).toEqual([
      'sequenceDiagram',
      '    participant C as UDP client 127.0.0.1:50000',
      '    participant S as UDP server 127.0.0.1:12000',
      '    Note over C: UDP socket 127.0.0.1:50000, for 127.0.0.1:12000. No handshake: the first datagram is the first packet',
      '    C->>S: message 1: datagram "hello" (5 bytes)',
      '    Note over C: no reply within 50 ms: message 1 again (attempt 2 of 4), now waiting 100 ms',
      '    C->>S: message 1, attempt 2: datagram "hello" (5 bytes)',
      '    S->>C: reply 1: datagram "HELLO" (5 bytes, round trip 0.40 ms, to attempt 2 or an earlier copy)',
      '    Note over C,S: 1 message, 1 reply, 2 datagrams sent (10 bytes), 1 received (5 bytes), round trip min 0.40 / median 0.40 / max 0.40 ms, 1 retransmission',
    ]);
  });

  it('draws a TCP handshake, pipelined messages, both FINs and the close', () => {
    const lines = drawn('tcp', (d) => {
      d.emit({ event: 'connecting', to: '127.0.0.1:12000' });
      d.emit({ event: 'connected', local: '127.0.0.1:50000', remote: '127.0.0.1:12000', handshakeMs: 0.2 });
      d.emit({ event: 'send', message: 1, bytes: 2, data: Buffer.from('a\n'), inFlight: 1 });
      d.emit({ event: 'half-close', sent: 1, received: 0 });
      d.emit({ event: 'reply', message: 1, bytes: 2, data: Buffer.from('A\n'), rttMs: 1, inFlight: 0 });
      d.emit({ event: 'peer-closed', how: 'end', sent: 1, received: 1 });
      d.emit({ event: 'closed', first: 'client', how: 'half-close', then: 'end', sent: 1, received: 1 });
    });
    expect(lines.slice(0, 3)).toEqual(['sequenceDiagram', '    participant C as TCP client 127.0.0.1:50000', '    participant S as TCP server 127.0.0.1:12000']);
    expect(lines.slice(3, 11)).toEqual([
      '    C->>S: SYN (to 127.0.0.1:12000)',
      '    S->>C: SYN-ACK',
      '    C->>S: ACK',
      '    Note over C,S: TCP connection from 127.0.0.1:50000 to 127.0.0.1:12000, set up in 0.20 ms. From now on, bytes with no address',
      '    C->>S: message 1: "a\\n" (2 bytes)',
      '    C->>S: FIN: no more messages (1 reply owed)',
      '    S->>C: reply 1: "A\\n" (2 bytes, round trip 1.00 ms)',
      '    S->>C: FIN (after 1 of 1 reply)',
    ]);
    expect(lines[11]).toMatch(/^ {4}Note over C,S: connection closed, the client closed first: it had no more messages \(half-close\), the server then answered/);
  });

  it('draws a refusal: RST for TCP, ICMP port unreachable for UDP', () => {
    expect(drawn('tcp', (d) => {
      d.emit({ event: 'connecting', to: '127.0.0.1:9' });
      d.emit({ event: 'connect-failed', to: '127.0.0.1:9', code: 'ECONNREFUSED' });
    })).toContain('    S--xC: RST: nothing listens on 127.0.0.1:9');
    expect(drawn('udp', (d) => d.emit({ event: 'refused', to: '127.0.0.1:9' }))).toContain('    S--xC: ICMP port unreachable: nothing listens on 127.0.0.1:9');
  });

  it('keeps what a message says from breaking the diagram', () => {
    expect(escape('a;b#c<d>e')).toBe('a#59;b#35;c#60;d#62;e');
    const lines = drawn('tcp', (d) => d.emit({ event: 'send', message: 1, bytes: 9, data: Buffer.from('x;y <z>\r\n'), inFlight: 1 }));
    expect(lines).toContain('    C->>S: message 1: "x#59;y #60;z#62;\\r\\n" (9 bytes)');
  });
});

describe('createClientView', () => {
  it('gives the diagram, a trace, or one that writes nothing', () => {
    const output = new PassThrough();
    expect(createClientView('diagram', output, 'udp')).toBeInstanceOf(DiagramWriter);
    expect(createClientView('text', output, 'udp').enabled).toBe(true);
    expect(createClientView(undefined, output, 'udp').enabled).toBe(false);
  });
});
