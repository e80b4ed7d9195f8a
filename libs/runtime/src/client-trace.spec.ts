import { PassThrough } from 'node:stream';
import { NO_TRACE, createClientTrace, previewBytes, wrap, type ClientTraceEvent, type TraceFormat } from './client-trace';

/** A trace into a string, on a clock the test moves. */
function traced(format: TraceFormat, protocol: 'udp' | 'tcp' = 'udp') {
  const output = new PassThrough();
  let written = '';
  output.setEncoding('utf8');
  output.on('data', (text: string) => (written += text));
  let time = 100;
  const trace = createClientTrace({ format, output, protocol, clock: () => time });
  return {
    trace,
    at: (ms: number) => (time = 100 + ms),
    lines: () => written.trimEnd().split('\n'),
  };
}

const UDP_EXCHANGE: Array<[number, ClientTraceEvent]> = [
  [0, { event: 'resolve', host: 'localhost', addresses: ['127.0.0.1'] }],
  [1, { event: 'socket', local: '127.0.0.1:50000', remote: '127.0.0.1:12000' }],
  [1.5, { event: 'send', message: 1, attempt: 1, bytes: 5, to: '127.0.0.1:12000', data: Buffer.from('hello') }],
  [51.5, { event: 'retransmit', message: 1, attempt: 2, attempts: 4, waitedMs: 50, nextWaitMs: 100 }],
  [51.6, { event: 'send', message: 1, attempt: 2, bytes: 5, to: '127.0.0.1:12000', data: Buffer.from('hello') }],
  [52, { event: 'reply', message: 1, attempt: 2, bytes: 5, from: '127.0.0.1:12000', rttMs: 0.4, data: Buffer.from('HELLO') }],
];

describe('createClientTrace', () => {
  it('gives the no-op trace when none is asked for', () => {
    expect(createClientTrace({ format: undefined, output: new PassThrough(), protocol: 'udp' })).toBe(NO_TRACE);
    expect(NO_TRACE.enabled).toBe(false);
  });

  it('writes each event time first, wrapped under its text to fit 80 columns, and a summary', () => {
    const { trace, at, lines } = traced('text');
    for (const [ms, event] of UDP_EXCHANGE) {
      at(ms);
      trace.emit(event);
    }
    at(53);
    trace.summary();
    trace.summary();
    expect(lines()).toEqual([
      "    0.00 ms  resolve        localhost is 127.0.0.1 (the resolver's answer, from",
      '                            /etc/hosts or DNS)',
      '    1.00 ms  socket         UDP socket 127.0.0.1:50000 (the OS picked the port)',
      '                            for 127.0.0.1:12000; nothing sent yet, UDP has no',
      '                            handshake. Each datagram will carry that',
      '                            destination, and only datagrams from it get in',
      '    1.50 ms  send           message 1: datagram of 5 bytes to 127.0.0.1:12000:',
      '                            "hello"',
      '    51.5 ms  retransmit     message 1: no reply within 50 ms; sending it again',
      '                            (attempt 2 of 4), now waiting 100 ms',
      '    51.6 ms  send           message 1 (attempt 2): datagram of 5 bytes to',
      '                            127.0.0.1:12000: "hello"',
      '    52.0 ms  reply          reply to message 1: datagram of 5 bytes from',
      '                            127.0.0.1:12000, round trip 0.40 ms since attempt 2',
      '                            (it may answer an earlier copy): "HELLO"',
      '    53.0 ms  summary        1 message, 1 reply; 2 datagrams sent (10 bytes), 1',
      '                            received (5 bytes); round trip min 0.40 / median',
      '                            0.40 / max 0.40 ms; 1 retransmission',
    ]);
    for (const line of lines()) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('writes the same events as JSON lines, with the time offset and the fields', () => {
    const { trace, at, lines } = traced('json');
    for (const [ms, event] of UDP_EXCHANGE) {
      at(ms);
      trace.emit(event);
    }
    trace.summary();
    const parsed = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((line) => line.event)).toEqual(['resolve', 'socket', 'send', 'retransmit', 'send', 'reply', 'summary']);
    expect(parsed[2]).toEqual({ event: 'send', ms: 1.5, message: 1, attempt: 1, bytes: 5, to: '127.0.0.1:12000', text: 'hello' });
    expect(parsed[3]).toEqual({ event: 'retransmit', ms: 51.5, message: 1, attempt: 2, attempts: 4, waitedMs: 50, nextWaitMs: 100 });
    expect(parsed[6]).toEqual({
      event: 'summary',
      ms: 52,
      protocol: 'udp',
      messages: 1,
      replies: 1,
      bytesSent: 10,
      bytesReceived: 5,
      datagramsSent: 2,
      datagramsReceived: 1,
      retransmissions: 1,
      rttMs: { min: 0.4, median: 0.4, max: 0.4 },
    });
  });

  it('sums a TCP exchange: bytes each way, the median round trip, the deepest pipeline', () => {
    const { trace, lines } = traced('json', 'tcp');
    for (let message = 1; message <= 4; message++) trace.emit({ event: 'send', message, bytes: 2, data: Buffer.from('a\n'), inFlight: message });
    [3, 1, 2, 10].forEach((rttMs, i) => trace.emit({ event: 'reply', message: i + 1, bytes: 2, data: Buffer.from('A\n'), rttMs, inFlight: 3 - i }));
    trace.summary();
    expect(JSON.parse(lines().at(-1) as string)).toMatchObject({
      protocol: 'tcp',
      messages: 4,
      replies: 4,
      bytesSent: 8,
      bytesReceived: 8,
      maxInFlight: 4,
      rttMs: { min: 1, median: 2.5, max: 10 },
    });
  });

  it('says so when no round trip completed', () => {
    const { trace, lines } = traced('text', 'tcp');
    trace.summary();
    expect(lines().map((line) => line.trim()).join(' ')).toMatch(/0 messages, 0 replies; 0 bytes sent, 0 received; no round trip completed$/);
  });
});

describe('wrap', () => {
  it('breaks at spaces, and a word longer than a line where the line ends', () => {
    expect(wrap('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
    expect(wrap('x 0123456789abc y', 5)).toEqual(['x', '01234', '56789', 'abc y']);
    expect(wrap('short', 80)).toEqual(['short']);
  });
});

describe('previewBytes', () => {
  it.each([
    ['plain text', Buffer.from('hello world'), 'hello world'],
    ['line ends and tabs', Buffer.from('a\r\n\tb\n'), 'a\\r\\n\\tb\\n'],
    ['quotes and backslashes', Buffer.from('say "hi" \\ bye'), 'say \\"hi\\" \\\\ bye'],
    ['UTF-8 as characters', Buffer.from('straße ✓'), 'straße ✓'],
    ['bytes that are not UTF-8 as hex', Buffer.from([0x61, 0xff, 0xc3, 0x62, 0x00, 0x7f]), 'a\\xff\\xc3b\\x00\\x7f'],
    ['an overlong form as hex', Buffer.from([0xc0, 0xaf]), '\\xc0\\xaf'],
    ['control characters beyond ASCII as hex', Buffer.from('\u0085', 'utf8'), '\\xc2\\x85'],
  ])('shows %s', (_name, data, text) => {
    expect(previewBytes(data)).toEqual({ text, cut: false });
  });

  it('keeps the first bytes and says it cut, never splitting a character', () => {
    expect(previewBytes(Buffer.from('abcdef'), 4)).toEqual({ text: 'abcd', cut: true });
    expect(previewBytes(Buffer.from('abcß'), 4)).toEqual({ text: 'abc\\xc3', cut: true });
  });
});

describe('how a TCP connection ended', () => {
  const closed = (fields: Partial<Extract<ClientTraceEvent, { event: 'closed' }>>): string => {
    const { trace, lines } = traced('text', 'tcp');
    trace.emit({ event: 'closed', first: 'client', how: 'half-close', sent: 2, received: 2, ...fields });
    // The event's text, its continuation lines joined back.
    return lines()
      .map((line, i) => (i === 0 ? line.replace(/^.* closed {9}/, '') : line.trim()))
      .join(' ');
  };

  it.each([
    [{ then: 'end' }, 'connection closed; the client closed first: it had no more messages (half-close); the server then answered what it owed and closed its side (FIN)'],
    [{ then: 'end', received: 1 }, 'connection closed; the client closed first: it had no more messages (half-close); then the server sent FIN after 1 of 2 replies'],
    [{ then: 'reset', received: 0 }, 'connection closed; the client closed first: it had no more messages (half-close); then the server reset the connection (RST) after 0 of 2 replies'],
    [{ then: 'gave-up', error: 'no reply within 5 ms' }, 'connection closed; the client closed first: it had no more messages (half-close); then the client gave up: no reply within 5 ms'],
    [{ first: 'server', how: 'end', sent: 1, received: 1 }, 'connection closed; the server closed first: it sent FIN after 1 of 1 reply'],
    [{ how: 'done' }, 'connection closed; the client closed first: it was done'],
  ] as const)('words the close %j', (fields, text) => {
    expect(closed(fields)).toBe(text);
  });
});
