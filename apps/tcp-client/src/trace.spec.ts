import { spawn } from 'node:child_process';
import { PROGRAM_RUNTIME, distMain, freePort, onLines, runProgram, scriptedServers, startServer, type RunningServer, traceEvents } from '@sockets/testing';

// e2e: --verbose and --json of the built client, against the built tcp-server and in-test servers.
jest.setTimeout(30_000);

const at = (port: number) => ['--host', '127.0.0.1', '--port', String(port)];
const client = (port: number, args: string[], input?: string | Buffer) => runProgram('tcp-client', [...at(port), ...args], { input });

const linesOf = (stderr: string, event: string) => traceEvents(stderr).filter((entry) => entry.event === event).map((entry) => entry.line);
const lineOf = (stderr: string, event: string) => linesOf(stderr, event)[0] ?? '';

function jsonEvents(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tcp-client --verbose against tcp-server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer('tcp-server');
  });
  afterAll(() => server.stop());

  it('traces the handshake, both ends, the message and its reply, the close and a summary', async () => {
    const result = await client(server.port, ['-v', 'hello', 'tcp']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('HELLO TCP\n');
    const where = `127.0.0.1:${server.port}`;
    expect(traceEvents(result.stderr).map((entry) => entry.event)).toEqual([
      'resolve',
      'connecting',
      'connected',
      'send',
      'half-close',
      'reply',
      'peer-closed',
      'closed',
      'summary',
    ]);
    expect(lineOf(result.stderr, 'connecting')).toContain(`knocking on ${where}: the kernel sends SYN and waits for SYN-ACK (the three-way handshake)`);
    expect(lineOf(result.stderr, 'connected')).toMatch(new RegExp(`connection set up in [\\d.]+ ms: our socket 127\\.0\\.0\\.1:\\d+ \\(the OS picked the port\\) <-> ${where}\\.`));
    expect(lineOf(result.stderr, 'send')).toMatch(/message 1: 10 bytes into the connection: "hello tcp\\n" \(1 in flight\)$/);
    expect(lineOf(result.stderr, 'half-close')).toMatch(/sent FIN \(half-close\); the server can still send, 1 reply owed$/);
    expect(lineOf(result.stderr, 'reply')).toMatch(/reply to message 1: 10 bytes, round trip [\d.]+ ms: "HELLO TCP\\n" \(0 still in flight\)$/);
    expect(lineOf(result.stderr, 'peer-closed')).toMatch(/the server closed its side \(FIN\) after 1 of 1 reply$/);
    expect(lineOf(result.stderr, 'closed')).toMatch(/the client closed first: it had no more messages \(half-close\); the server then answered what it owed and closed its side \(FIN\)$/);
    expect(lineOf(result.stderr, 'summary')).toMatch(/1 message, 1 reply; 10 bytes sent, 10 received; round trip min [\d.]+ \/ median [\d.]+ \/ max [\d.]+ ms; at most 1 in flight/);

    // Every line fits an 80-column terminal.
    for (const line of result.stderr.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('names the addresses a host name stood for and the one it connected to', async () => {
    const result = await runProgram('tcp-client', ['--host', 'localhost', '--port', String(server.port), '-v', 'by name']);
    expect(result.stdout.toString()).toBe('BY NAME\n');
    expect(lineOf(result.stderr, 'resolve')).toMatch(/localhost is [\d.:a-f, ]+ \(the resolver's answer, from \/etc\/hosts or DNS\)/);
    expect(lineOf(result.stderr, 'connected')).toMatch(/<-> (127\.0\.0\.1|\[::1\]):\d+\./);
  });

  it('shows the pipeline when piping: messages in flight before the replies come', async () => {
    const result = await client(server.port, ['--json'], 'one\ntwo\nthree\n');
    expect(result.stdout.toString()).toBe('ONE\nTWO\nTHREE\n');
    const events = jsonEvents(result.stderr);
    const sends = events.filter((event) => event.event === 'send');
    const replies = events.filter((event) => event.event === 'reply');
    expect(sends.map((event) => [event.message, event.text])).toEqual([
      [1, 'one\\n'],
      [2, 'two\\n'],
      [3, 'three\\n'],
    ]);
    expect(replies.map((event) => [event.message, event.text])).toEqual([
      [1, 'ONE\\n'],
      [2, 'TWO\\n'],
      [3, 'THREE\\n'],
    ]);
    // One chunk of stdin: every line goes out before the first reply is read.
    expect(sends.map((event) => event.inFlight)).toEqual([1, 2, 3]);
    expect(replies.map((event) => event.inFlight)).toEqual([2, 1, 0]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', protocol: 'tcp', messages: 3, replies: 3, bytesSent: 14, bytesReceived: 14, maxInFlight: 3 });
  });

  it('writes the same events as JSON lines with --json', async () => {
    const text = await client(server.port, ['--verbose'], 'a\nb\n');
    const json = await client(server.port, ['--json'], 'a\nb\n');
    const events = jsonEvents(json.stderr);
    expect(json.stderr.trim().split('\n')).toHaveLength(events.length);
    expect(events.map((event) => event.event)).toEqual(traceEvents(text.stderr).map((entry) => entry.event));
    for (const event of events) expect(typeof event.ms).toBe('number');
    expect(events.find((event) => event.event === 'connected')).toMatchObject({
      local: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      remote: `127.0.0.1:${server.port}`,
      handshakeMs: expect.any(Number),
    });
    expect(events.find((event) => event.event === 'closed')).toMatchObject({ first: 'client' });
  });

  it('leaves stdout byte for byte as it is without the flag', async () => {
    const input = Buffer.concat([Buffer.from('first line\r\nsecond\n\nstraße\n'), Buffer.from([0x61, 0xff, 0x62, 0x0a]), Buffer.from('last, no newline')]);
    const plain = await client(server.port, [], input);
    for (const flag of ['-v', '--verbose', '--json']) {
      const traced = await client(server.port, [flag], input);
      expect(traced.code).toBe(0);
      expect(traced.stdout.toString('hex')).toBe(plain.stdout.toString('hex'));
    }
    expect(plain.stderr).toBe('');
  });
});

describe('tcp-client --verbose when the other side decides', () => {
  const script = scriptedServers();

  it('says the server closed first when it ends the connection after a reply', async () => {
    const port = await script((socket) => onLines(socket, (line) => socket.end(`${line.toUpperCase()}\n`)));
    // stdin stays open, so the client is still there when the server's FIN comes.
    const child = spawn(PROGRAM_RUNTIME, [distMain('tcp-client'), ...at(port), '-v'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      child.stdin.write('only one\n');
      for (let i = 0; i < 500 && !stderr.includes('peer-closed'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stdout).toBe('ONLY ONE\n');
    expect(linesOf(stderr, 'half-close')).toEqual([]);
    expect(lineOf(stderr, 'peer-closed')).toMatch(/the server closed its side \(FIN\) after 1 of 1 reply$/);
    expect(lineOf(stderr, 'closed')).toMatch(/connection closed; the server closed first: it sent FIN after 1 of 1 reply$/);
  });

  it('says the server reset the connection, then the one error line', async () => {
    const port = await script((socket) => onLines(socket, () => socket.resetAndDestroy()));
    const result = await client(port, ['-v', 'boom']);
    expect(result.code).toBe(1);
    expect(lineOf(result.stderr, 'peer-closed')).toMatch(/the server reset the connection \(RST\) after 0 of 1 reply$/);
    // The client's half-close came first; the server's RST ended it.
    expect(lineOf(result.stderr, 'closed')).toMatch(/the client closed first: it had no more messages \(half-close\); then the server reset the connection \(RST\) after 0 of 1 reply$/);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`connection reset by 127.0.0.1:${port} after 0 of 1 replies`);
  });

  it('says the client closed first when a reply does not come in time', async () => {
    const port = await script(() => undefined);
    const result = await client(port, ['--timeout-ms', '200', '-v', 'hello?']);
    expect(result.code).toBe(1);
    const error = `no reply from 127.0.0.1:${port} within 200 ms (0 of 1 replies received)`;
    expect(lineOf(result.stderr, 'closed')).toContain(`the client closed first: it had no more messages (half-close); then the client gave up: ${error}`);
    expect(lineOf(result.stderr, 'summary')).toContain('1 message, 0 replies; 7 bytes sent, 0 received; no round trip completed');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(error);
  });

  it('traces the refused handshake (RST) and still prints the one error line', async () => {
    const port = await freePort();
    const result = await client(port, ['-v', 'anyone']);
    expect(result.code).toBe(1);
    expect(traceEvents(result.stderr).map((entry) => entry.event)).toEqual(['resolve', 'connecting', 'connect-failed', 'summary']);
    expect(lineOf(result.stderr, 'connect-failed')).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} answered the SYN with RST: nothing listens on that port$`));
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`connection refused by 127.0.0.1:${port}`);
  });
});

describe('tcp-client --diagram', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer('tcp-server');
  });
  afterAll(() => server.stop());

  it('draws the exchange as a Mermaid sequence diagram on stderr, stdout unchanged', async () => {
    const result = await client(server.port, ['--diagram', 'hello', 'tcp']);
    expect({ code: result.code, stdout: result.stdout.toString() }).toEqual({ code: 0, stdout: 'HELLO TCP\n' });
    const lines = result.stderr.trimEnd().split('\n');
    const where = `127.0.0.1:${server.port}`;
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines[1]).toMatch(/^ {4}participant C as TCP client 127\.0\.0\.1:\d+$/);
    expect(lines[2]).toBe(`    participant S as TCP server ${where}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        `    C->>S: SYN (to ${where})`,
        '    S->>C: SYN-ACK',
        '    C->>S: ACK',
        '    C->>S: message 1: "hello tcp\\n" (10 bytes)',
        '    C->>S: FIN: no more messages (1 reply owed)',
        expect.stringMatching(/^ {4}S->>C: reply 1: "HELLO TCP\\n" \(10 bytes, round trip [\d.]+ ms\)$/),
        '    S->>C: FIN (after 1 of 1 reply)',
      ]),
    );
    // No trace line: the diagram is instead of it.
    expect(traceEvents(result.stderr)).toEqual([]);
  });

  it('draws a refused handshake, and the error line still follows', async () => {
    const port = await freePort();
    const result = await client(port, ['--diagram', 'anyone']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines).toContain(`    S--xC: RST: nothing listens on 127.0.0.1:${port}`);
    expect(lines.at(-1)).toBe(`connection refused by 127.0.0.1:${port}`);
  });
});
