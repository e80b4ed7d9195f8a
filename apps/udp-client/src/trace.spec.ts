import { spawn } from 'node:child_process';
import { PROGRAM_RUNTIME, distMain, freePort, runProgram, startScriptedUdpServer, startServer, type RunningServer, type ScriptedUdpServer, traceEvents } from '@sockets/testing';

// e2e: --verbose and --json of the built client, against the built udp-server and in-test servers.
jest.setTimeout(60_000);

const upper = (message: Buffer) => message.toString('utf8').toUpperCase();
const client = (args: string[], input?: string | Buffer) => runProgram('udp-client', args, { input });
const at = (port: number) => ['--host', '127.0.0.1', '--port', String(port)];

const lineOf = (stderr: string, event: string) => traceEvents(stderr).find((entry) => entry.event === event)?.line ?? '';

function jsonEvents(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const scripted: ScriptedUdpServer[] = [];
afterEach(() => scripted.splice(0).forEach((server) => server.close()));
async function scriptedServer(handle: Parameters<typeof startScriptedUdpServer>[0]): Promise<ScriptedUdpServer> {
  const server = await startScriptedUdpServer(handle);
  scripted.push(server);
  return server;
}

describe('udp-client --verbose against udp-server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer('udp-server');
  });
  afterAll(() => server.stop());

  it('traces the socket, the datagram out, the reply in and a summary, one line each', async () => {
    const result = await client([...at(server.port), '-v', 'hello']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('HELLO\n');
    const where = `127.0.0.1:${server.port}`;
    expect(traceEvents(result.stderr).map((entry) => entry.event)).toEqual(['resolve', 'socket', 'send', 'reply', 'summary']);
    expect(lineOf(result.stderr, 'resolve')).toContain('127.0.0.1 is an IP address already');
    expect(lineOf(result.stderr, 'socket')).toMatch(new RegExp(`UDP socket 127\\.0\\.0\\.1:\\d+ \\(the OS picked the port\\) for ${where}; nothing sent yet`));
    expect(lineOf(result.stderr, 'send')).toMatch(new RegExp(`message 1: datagram of 5 bytes to ${where}: "hello"$`));
    expect(lineOf(result.stderr, 'reply')).toMatch(new RegExp(`reply to message 1: datagram of 5 bytes from ${where}, round trip [\\d.]+ ms: "HELLO"$`));
    expect(lineOf(result.stderr, 'summary')).toMatch(
      /1 message, 1 reply; 1 datagram sent \(5 bytes\), 1 received \(5 bytes\); round trip min [\d.]+ \/ median [\d.]+ \/ max [\d.]+ ms; 0 retransmissions$/,
    );

    // Every line fits an 80-column terminal.
    for (const line of result.stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('names the addresses a host name stood for', async () => {
    const result = await client(['--host', 'localhost', '--port', String(server.port), '-v', 'by name']);
    expect(result.stdout.toString()).toBe('BY NAME\n');
    expect(lineOf(result.stderr, 'resolve')).toMatch(/localhost is [\d.:a-f, ]+ \(the resolver's answer, from \/etc\/hosts or DNS\)/);
  });

  it('writes the same events as JSON lines with --json', async () => {
    const text = await client([...at(server.port), '-v', 'same', 'events']);
    const json = await client([...at(server.port), '--json', 'same', 'events']);
    expect(json.stdout.toString()).toBe('SAME EVENTS\n');
    const events = jsonEvents(json.stderr);
    expect(json.stderr.trim().split('\n')).toHaveLength(events.length);
    expect(events.map((event) => event.event)).toEqual(traceEvents(text.stderr).map((entry) => entry.event));
    for (const event of events) expect(typeof event.ms).toBe('number');
    expect(events.find((event) => event.event === 'send')).toMatchObject({ message: 1, attempt: 1, bytes: 11, to: `127.0.0.1:${server.port}`, text: 'same events' });
    expect(events.find((event) => event.event === 'reply')).toMatchObject({ bytes: 11, from: `127.0.0.1:${server.port}`, text: 'SAME EVENTS', rttMs: expect.any(Number) });
    expect(events.at(-1)).toMatchObject({ event: 'summary', protocol: 'udp', messages: 1, replies: 1, bytesSent: 11, bytesReceived: 11, retransmissions: 0 });
  });

  it('leaves stdout byte for byte as it is without the flag', async () => {
    const input = Buffer.concat([Buffer.from('one\n\ntwo\r\nstraße\n'), Buffer.from([0x62, 0xff, 0x0a]), Buffer.from('last')]);
    const plain = await client(at(server.port), input);
    for (const flag of ['-v', '--verbose', '--json']) {
      const traced = await client([...at(server.port), flag], input);
      expect(traced.code).toBe(0);
      expect(traced.stdout.toString('hex')).toBe(plain.stdout.toString('hex'));
    }
    expect(plain.stderr).toBe('');
  });

  it('shows bytes that are not printable as escapes', async () => {
    const result = await client([...at(server.port), '-v'], Buffer.from([0x61, 0x09, 0xff, 0x62, 0x0a]));
    expect(lineOf(result.stderr, 'send')).toMatch(/datagram of 4 bytes to [^ ]+: "a\\t\\xffb"$/);
    expect(lineOf(result.stderr, 'reply')).toMatch(/: "A\\t\\xffB"$/);
  });
});

describe('udp-client --verbose when things go wrong', () => {
  it('traces the retransmission: attempt, the wait that expired, the next wait; then the socket it replaces', async () => {
    const lossy = await scriptedServer(({ message, from }, index, s) => index >= 1 && s.reply(from, upper(message)));
    const result = await client([...at(lossy.port), '--timeout-ms', '50', '-v', 'lost once']);
    expect(result.stdout.toString()).toBe('LOST ONCE\n');
    expect(traceEvents(result.stderr).map((entry) => entry.event)).toEqual(['resolve', 'socket', 'send', 'retransmit', 'send', 'reply', 'socket-closed', 'summary']);
    expect(lineOf(result.stderr, 'retransmit')).toMatch(/message 1: no reply within 50 ms; sending it again \(attempt 2 of 4\), now waiting 100 ms$/);
    expect(traceEvents(result.stderr)[4].line).toContain('message 1 (attempt 2): datagram of 9 bytes');
    expect(lineOf(result.stderr, 'reply')).toContain('since attempt 2 (it may answer an earlier copy)');
    expect(lineOf(result.stderr, 'socket-closed')).toContain('the next message leaves from a new socket (new port)');
    expect(lineOf(result.stderr, 'summary')).toMatch(/2 datagrams sent \(18 bytes\), 1 received \(9 bytes\); .*; 1 retransmission$/);
  });

  it('traces the last wait before giving up, then the one error line', async () => {
    const silent = await scriptedServer(() => undefined);
    const result = await client([...at(silent.port), '--timeout-ms', '20', '--retries', '1', '-v', 'hello?']);
    expect(result.code).toBe(1);
    expect(lineOf(result.stderr, 'gave-up')).toMatch(/message 1: no reply within 40 ms to attempt 2 of 2; giving up$/);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`no reply from 127.0.0.1:${silent.port} after 2 attempts`);
  });

  it('traces the ICMP refusal from a port where nothing listens', async () => {
    const port = await freePort();
    const result = await client([...at(port), '-v', 'anyone']);
    expect(result.code).toBe(1);
    expect(lineOf(result.stderr, 'refused')).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} answered with ICMP port unreachable: nothing listens on that port; giving up$`));
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`connection refused by 127.0.0.1:${port} (ICMP port unreachable: nothing listens there)`);
  });

  it('traces an empty reply to a non-empty message as ignored', async () => {
    const proxy = await scriptedServer(({ message, from }, index, s) => s.reply(from, index === 0 ? '' : upper(message)));
    const result = await client([...at(proxy.port), '--timeout-ms', '100', '--json', 'still there?']);
    expect(result.stdout.toString()).toBe('STILL THERE?\n');
    expect(jsonEvents(result.stderr).filter((event) => event.event === 'ignored')).toEqual([
      { event: 'ignored', ms: expect.any(Number), reason: 'empty-reply', bytes: 0, from: `127.0.0.1:${proxy.port}`, text: '' },
    ]);
  });

  it('traces a datagram that arrives while no message waits for a reply', async () => {
    const stutter = await scriptedServer(({ message, from }, _i, s) => {
      s.reply(from, upper(message));
      setTimeout(() => s.reply(from, `${upper(message)} AGAIN`), 20);
    });
    // stdin stays open after the first line, so the second copy finds the client waiting for input.
    const child = spawn(PROGRAM_RUNTIME, [distMain('udp-client'), ...at(stutter.port), '-v'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      child.stdin.write('first\n');
      for (let i = 0; i < 500 && !stderr.includes(' ignored'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      child.stdin.end('second\n');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stdout).toBe('FIRST\nSECOND\n');
    expect(lineOf(stderr, 'ignored')).toMatch(
      new RegExp(`datagram of 11 bytes from 127\\.0\\.0\\.1:${stutter.port} ignored: no message is waiting for a reply \\(a late duplicate\\?\\): "FIRST AGAIN"$`),
    );
  });
});

describe('udp-client --diagram', () => {
  it('draws each datagram, the lost one and its retransmission, stdout unchanged', async () => {
    const lossy = await startServer('udp-server', ['--drop-rate', '0.5']);
    try {
      // The first attempt is always dropped; the second has a second to come back, loaded machine or not.
      const result = await client([...at(lossy.port), '--timeout-ms', '500', '--diagram', 'hello']);
      expect({ code: result.code, stdout: result.stdout.toString() }).toEqual({ code: 0, stdout: 'HELLO\n' });
      const lines = result.stderr.trimEnd().split('\n');
      const where = `127.0.0.1:${lossy.port}`;
      expect(lines.slice(0, 3)).toEqual(['sequenceDiagram', expect.stringMatching(/^ {4}participant C as UDP client 127\.0\.0\.1:\d+$/), `    participant S as UDP server ${where}`]);
      expect(lines).toEqual(
        expect.arrayContaining([
          '    C->>S: message 1: datagram "hello" (5 bytes)',
          '    Note over C: no reply within 500 ms: message 1 again (attempt 2 of 4), now waiting 1000 ms',
          '    C->>S: message 1, attempt 2: datagram "hello" (5 bytes)',
          expect.stringMatching(/^ {4}S->>C: reply 1: datagram "HELLO" \(5 bytes, round trip [\d.]+ ms, to attempt 2 or an earlier copy\)$/),
        ]),
      );
    } finally {
      await lossy.stop();
    }
  });

  it('draws the ICMP refusal, and the error line still follows', async () => {
    const port = await freePort();
    const result = await client([...at(port), '--diagram', 'anyone']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines).toContain(`    S--xC: ICMP port unreachable: nothing listens on 127.0.0.1:${port}`);
    expect(lines.at(-1)).toBe(`connection refused by 127.0.0.1:${port} (ICMP port unreachable: nothing listens there)`);
  });
});
