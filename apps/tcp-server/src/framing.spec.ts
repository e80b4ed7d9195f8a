import { fromHex, loadTestVectors, runProgram, startServer, type RunningServer } from '@sockets/testing';
import { TestPeer, delay, drained } from '@sockets/testing';

jest.setTimeout(30_000);

describe('tcp-server framing and transforms (built program, loopback)', () => {
  let server: RunningServer;
  // Idle flush out of the way: only terminators and half-closes end messages here.
  let noFlush: RunningServer;
  // count-s replies only when a message ends, so what ended it shows (upper streams as it reads).
  let counting: RunningServer;
  let countingNoFlush: RunningServer;
  const peers: TestPeer[] = [];
  const connect = async (port: number, host?: string): Promise<TestPeer> => {
    const peer = await TestPeer.connect(port, host);
    peers.push(peer);
    return peer;
  };

  beforeAll(async () => {
    [server, noFlush, counting, countingNoFlush] = await Promise.all([
      startServer('tcp-server', ['--log-level', 'debug']),
      startServer('tcp-server', ['--flush-ms', '60000']),
      startServer('tcp-server', ['--transform', 'count-s']),
      startServer('tcp-server', ['--transform', 'count-s', '--flush-ms', '60000']),
    ]);
  });
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy();
  });
  afterAll(async () => {
    await Promise.all([server, noFlush, counting, countingNoFlush].map((s) => s?.stop()));
  });

  it('logs server ready with the real port', () => {
    const ready = server.logs.find((line) => line.msg === 'server ready');
    expect(ready).toMatchObject({ protocol: 'tcp', address: '127.0.0.1', transform: 'upper' });
    expect(ready?.port).toBeGreaterThan(0);
  });

  it('reassembles a message sent one byte at a time, multi-byte characters included', async () => {
    const peer = await connect(noFlush.port);
    for (const byte of Buffer.from('hello, wörld ß\r\n', 'utf8')) {
      await peer.write(Buffer.from([byte]));
      // Separate segments on the wire, not one coalesced write.
      await delay(1);
    }
    const expected = 'HELLO, WÖRLD SS\r\n';
    await peer.waitForBytes(Buffer.byteLength(expected));
    expect(peer.text).toBe(expected);
  });

  it('answers 10,000 lines sent in one write, in order', async () => {
    const peer = await connect(server.port);
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i} of the batch\n`);
    const expected = lines.join('').toUpperCase();
    await peer.write(lines.join(''));
    await peer.waitForBytes(expected.length);
    expect(peer.text).toBe(expected);
  });

  it('mirrors each terminator: LF, CRLF, empty lines, a lone CR inside a message', async () => {
    const peer = await connect(noFlush.port);
    await peer.write('lf\ncrlf\r\n\n\r\nlone\rcr\n');
    const expected = 'LF\nCRLF\r\n\n\r\nLONE\rCR\n';
    await peer.waitForBytes(expected.length);
    expect(peer.text).toBe(expected);
  });

  it('answers an unterminated message when the peer half-closes, then ends its side', async () => {
    for (const [target, input, expected] of [
      [noFlush, 'first\nno newline at the end', 'FIRST\nNO NEWLINE AT THE END'],
      [countingNoFlush, 'first s\nsss tail', '2\n3'],
    ] as const) {
      const peer = await connect(target.port);
      await peer.write(input);
      peer.socket.end();
      await peer.waitForEnd();
      expect(peer.text).toBe(expected);
    }
  });

  it('after a half-close still delivers every reply owed, however late the peer reads them', async () => {
    const peer = await connect(noFlush.port);
    peer.socket.pause();
    const lines = Array.from({ length: 160_000 }, (_, i) => `owed line ${i} ${'.'.repeat(80)}\n`).join('');
    peer.socket.end(lines);
    // More than the kernel buffers of both directions hold (some MiB): when the input ends, the
    // server still has replies to write.
    await delay(300);
    peer.socket.resume();
    await peer.waitForEnd(30_000);
    expect(peer.length).toBe(lines.length);
    expect(peer.text === lines.toUpperCase()).toBe(true);
  });

  it('answers an unterminated message after --flush-ms of silence and keeps the connection', async () => {
    const peer = await connect(counting.port);
    await peer.write('mississippi');
    await peer.waitForText('4');
    expect(peer.ended).toBe(false);
    await peer.write('sss\n');
    await peer.waitForText('3\n');
    expect(peer.text).toBe('43\n');
  });

  it.each(loadTestVectors().exchanges.map((vector) => [vector.name, vector] as const))(
    'answers the exchange vector %s of docs/test-vectors.json',
    async (_name, vector) => {
      const peer = await connect((vector.transform === 'upper' ? noFlush : countingNoFlush).port);
      for (const chunk of vector.chunksHex) {
        await peer.write(fromHex(chunk));
        await delay(5);
      }
      const expected = fromHex(vector.replyHex);
      if (vector.flushAtEnd) {
        peer.socket.end();
        await peer.waitForEnd();
      } else {
        await peer.waitForBytes(expected.length);
      }
      expect(peer.received.toString('hex')).toBe(vector.replyHex);
    },
  );

  it('passes bytes that are not UTF-8 through unchanged', async () => {
    const peer = await connect(noFlush.port);
    // A stray 0xff, a lead byte followed by ASCII, an encoded surrogate, a truncated sequence.
    const input = Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x63, 0xe2, 0x82, 0x0a]);
    const expected = Buffer.from([0x41, 0xff, 0x42, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x43, 0xe2, 0x82, 0x0a]);
    await peer.write(input);
    await peer.waitForBytes(expected.length);
    expect(peer.received).toEqual(expected);
  });

  it('serves IPv4 and IPv6 at once when bound to ::, and logs each peer as it wrote itself', async () => {
    const dual = await startServer('tcp-server', ['--host', '::', '--log-level', 'debug']);
    try {
      expect(dual.address).toBe('::');
      for (const host of ['127.0.0.1', '::1']) {
        const peer = await connect(dual.port, host);
        await peer.write(`via ${host}\n`);
        await peer.waitForText('\n');
        expect(peer.text).toBe(`VIA ${host}\n`.toUpperCase());
        // An IPv4 client of a dual-stack socket is 127.0.0.1 here too, not ::ffff:127.0.0.1.
        const localPort = peer.localPort;
        expect(await dual.waitForLog((l) => l.msg === 'connection accepted' && l.remotePort === localPort)).toMatchObject({ level: 20, remoteAddress: host, localPort: dual.port });
        peer.destroy();
      }
    } finally {
      await dual.stop();
    }
  });

  it('logs each connection as it is accepted and at close, with counts and no text, at debug', async () => {
    const peer = await connect(server.port);
    await peer.write('kumquat\nzebra\r\n');
    await peer.waitForBytes(15);
    const localPort = peer.localPort;
    peer.socket.end();
    await peer.waitForClose();
    const line = await server.waitForLog((l) => l.msg === 'connection closed' && l.remotePort === localPort);
    expect(line).toMatchObject({ level: 20, remoteAddress: '127.0.0.1', bytesIn: 15, bytesOut: 15, messages: 2, reason: 'peer closed' });
    expect(typeof line.durationMs).toBe('number');
    expect(server.logs.filter((l) => l.remotePort === localPort).map((l) => l.msg)).toEqual(['connection accepted', 'connection closed']);
    expect(JSON.stringify(server.logs)).not.toMatch(/kumquat|zebra/i);
  });

  it('logs message text only at trace', async () => {
    const traced = await startServer('tcp-server', ['--log-level', 'trace']);
    try {
      const peer = await connect(traced.port);
      await peer.write('secret words\n');
      await peer.waitForBytes(13);
      const line = await traced.waitForLog((l) => typeof l.text === 'string');
      expect(line).toMatchObject({ level: 10, text: 'secret words\n' });
    } finally {
      await traced.stop();
    }
  });

  it('replies with the count of s and S under --transform count-s', async () => {
    expect(countingNoFlush.logs[0]).toMatchObject({ msg: 'server ready', transform: 'count-s' });
    const peer = await connect(countingNoFlush.port);
    await peer.write('Mississippi\n\nSss\r\nno s? yes');
    peer.socket.end();
    await peer.waitForEnd();
    expect(peer.text).toBe('4\n0\n3\r\n2');
  });

  it('does not end a message at --flush-ms while it is itself not reading (backpressure)', async () => {
    const peer = await connect(counting.port);
    peer.socket.pause();
    // 7 bytes a line, so most reads end mid-line; replies of 2 bytes fill the buffers back to
    // us until the server stops reading, for far longer than the 30 ms flush.
    const chunk = Buffer.from('ssssss\n'.repeat(9362));
    let chunks = 0;
    let stalled = false;
    while (chunks < 1024 && !stalled) {
      chunks++;
      if (!peer.socket.write(chunk)) stalled = !(await drained(peer.socket, 1000));
    }
    expect(stalled).toBe(true);
    peer.socket.resume();
    peer.socket.end();
    await peer.waitForEnd(20_000);
    const replies = peer.text.split('\n');
    expect(replies.pop()).toBe('');
    expect(replies.length).toBe(chunks * 9362);
    expect(replies.filter((reply) => reply !== '6').slice(0, 5)).toEqual([]);
  });

  it('counts a message sent one byte at a time only once it ends', async () => {
    const peer = await connect(countingNoFlush.port);
    for (const byte of Buffer.from('Mississippi river\r\n')) {
      await peer.write(Buffer.from([byte]));
      await delay(1);
    }
    await peer.waitForText('\r\n');
    expect(peer.text).toBe('4\r\n');
  });
});

describe('tcp-server command line', () => {
  it.each([
    [['--port', '70000'], '--port'],
    [['--flush-ms', '0'], '--flush-ms'],
    [['--max-connections', 'many'], '--max-connections'],
    [['--transform', 'nope'], '--transform'],
    [['--bogus'], '--bogus'],
  ])('exits 2 with one line for %j', async (args, flag) => {
    const result = await runProgram('tcp-server', args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(flag);
    expect(result.stdout.length).toBe(0);
  });

  it('prints help that documents every flag and its default', async () => {
    const result = await runProgram('tcp-server', ['--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.toString();
    for (const flag of ['--host', '--port', '--transform', '--flush-ms', '--idle-timeout-ms', '--max-connections', '--log-level']) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/--idle-timeout-ms.*closed.*default 60000/);
  });

  it('exits 1 with one line naming address and port when the port is in use', async () => {
    const first = await startServer('tcp-server');
    try {
      const result = await runProgram('tcp-server', ['--host', '127.0.0.1', '--port', String(first.port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`tcp-server: cannot listen on 127.0.0.1:${first.port}: address already in use\n`);
    } finally {
      await first.stop();
    }
  });
});
