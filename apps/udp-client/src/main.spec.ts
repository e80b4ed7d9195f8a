import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { PROGRAM_RUNTIME, distMain, runProgram, startScriptedUdpServer, startServer, type RunningServer, type ScriptedUdpServer, freePort } from '@sockets/testing';

// e2e: the built client as a child process, against the built udp-server or in-test servers.
jest.setTimeout(60_000);

const upper = (message: Buffer) => message.toString('utf8').toUpperCase();
const client = (args: string[], input?: string | Buffer) => runProgram('udp-client', args, { input });

const scripted: ScriptedUdpServer[] = [];
afterEach(() => scripted.splice(0).forEach((server) => server.close()));
async function scriptedServer(handle: Parameters<typeof startScriptedUdpServer>[0]): Promise<ScriptedUdpServer> {
  const server = await startScriptedUdpServer(handle);
  scripted.push(server);
  return server;
}

describe('udp-client against udp-server', () => {
  let server: RunningServer;
  let countS: RunningServer;
  beforeAll(async () => {
    [server, countS] = await Promise.all([startServer('udp-server'), startServer('udp-server', ['--transform', 'count-s'])]);
  });
  afterAll(() => Promise.all([server.stop(), countS.stop()]));
  const at = (s: RunningServer) => ['--host', '127.0.0.1', '--port', String(s.port)];

  it('reports no reply when the reply would not fit in a datagram (the server drops it)', async () => {
    // 'ΐ' is 2 bytes and its uppercase 6: the message fits, its reply does not.
    const result = await client([...at(server), '--retries', '0', '--timeout-ms', '300', 'ΐ'.repeat(30_000)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`no reply from 127.0.0.1:${server.port} after 1 attempts\n`);
    expect(result.stdout.length).toBe(0);
    await server.waitForLog((line) => line.msg === 'reply too large for one datagram, not sent');
  });

  it('sends its words, joined by spaces, as one message and prints the reply', async () => {
    const result = await client([...at(server), 'hello', 'big  world']);
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code: 0,
      stdout: 'HELLO BIG  WORLD\n',
      stderr: '',
    });
  });

  it('takes words after -- even when they look like flags', async () => {
    const result = await client([...at(server), '--', '--port', 'x']);
    expect(result.stdout.toString()).toBe('--PORT X\n');
  });

  it('sends each piped line as a message and prints the replies in order, bytes as they came', async () => {
    const input = Buffer.concat([Buffer.from('one\n\ntwo\r\nstraße\n'), Buffer.from([0x62, 0xff, 0x0a]), Buffer.from('no newline at end')]);
    const result = await client(at(server), input);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const expected = Buffer.concat([Buffer.from('ONE\n\nTWO\nSTRASSE\n'), Buffer.from([0x42, 0xff, 0x0a]), Buffer.from('NO NEWLINE AT END\n')]);
    expect(result.stdout.toString('hex')).toBe(expected.toString('hex'));
  });

  it('answers 100 piped lines in order', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const result = await client(at(countS), lines.join('\n') + '\n');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(lines.map(() => '0\n').join(''));
    const words = await client(at(countS), 'Mississippi\nsass\n\n');
    expect(words.stdout.toString()).toBe('4\n3\n0\n');
  });

  it('exits 0 with no output for empty piped input', async () => {
    const result = await client(at(server), '');
    expect({ code: result.code, stdout: result.stdout.length, stderr: result.stderr }).toEqual({ code: 0, stdout: 0, stderr: '' });
  });

  it('resolves localhost and talks IPv6 to ::1', async () => {
    const dual = await startServer('udp-server', ['--host', '::']);
    try {
      const byName = await client(['--host', 'localhost', '--port', String(dual.port), 'by name']);
      expect(byName.stdout.toString()).toBe('BY NAME\n');
      const ipv6 = await client(['--host', '::1', '--port', String(dual.port), 'over ipv6']);
      expect(ipv6.stdout.toString()).toBe('OVER IPV6\n');
      const env = await runProgram('udp-client', ['from env'], { env: { HOST: '::1', PORT: String(dual.port) } });
      expect(env.stdout.toString()).toBe('FROM ENV\n');
    } finally {
      await dual.stop();
    }
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  (hasScript ? it : it.skip)('prompts at a terminal, answers each sentence, and ends at Ctrl-D', async () => {
    // `script` gives the client a pseudo-terminal, so stdin.isTTY is true as for a person.
    const command = `'${PROGRAM_RUNTIME}' '${distMain('udp-client')}' --host 127.0.0.1 --port ${server.port}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (screen += text));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      await waitFor(() => screen.includes('Input lowercase sentence:'));
      child.stdin.write('hello terminal\r');
      await waitFor(() => screen.includes('HELLO TERMINAL'));
      child.stdin.write('once more\r');
      await waitFor(() => screen.includes('ONCE MORE'));
      child.stdin.write('\x04');
      expect(await exited).toBe(0);
      expect(screen.split('Input lowercase sentence:').length - 1).toBe(3);
      // Ctrl-D ends the prompt's line: whatever the shell writes next starts a line of its own.
      expect(screen.slice(screen.lastIndexOf('Input lowercase sentence:')).endsWith('\n')).toBe(true);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});

describe('udp-client when datagrams are lost', () => {
  it('retransmits until the server answers (first two datagrams dropped)', async () => {
    const lossy = await scriptedServer(({ message, from }, index, s) => index >= 2 && s.reply(from, upper(message)));
    const result = await client(['--host', '127.0.0.1', '--port', String(lossy.port), '--timeout-ms', '50', 'persistence']);
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({ code: 0, stdout: 'PERSISTENCE\n', stderr: '' });
    expect(lossy.received).toHaveLength(3);
  });

  it('answers piped lines in order when some datagrams are lost and late duplicates arrive', async () => {
    // Drops every other datagram; answers the others twice, the second time late (with the
    // next message), which would shift every later reply by one if the client were fooled.
    let late: { to: Parameters<ScriptedUdpServer['reply']>[0]; text: string } | undefined;
    const flaky = await scriptedServer(({ message, from }, index, s) => {
      if (late) s.reply(late.to, late.text);
      late = undefined;
      if (index % 2 === 0) return;
      s.reply(from, upper(message));
      late = { to: from, text: upper(message) };
    });
    const lines = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const result = await client(['--host', '127.0.0.1', '--port', String(flaky.port), '--timeout-ms', '50'], lines.join('\n'));
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(lines.map((line) => `${line.toUpperCase()}\n`).join(''));
  });

  it('gives up after --retries + 1 attempts with one line, exit 1', async () => {
    const silent = await scriptedServer(() => undefined);
    const result = await client(['--host', '127.0.0.1', '--port', String(silent.port), '--timeout-ms', '50', '--retries', '2', 'hello?']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`no reply from 127.0.0.1:${silent.port} after 3 attempts\n`);
    expect(result.stdout.length).toBe(0);
    expect(silent.received).toHaveLength(3);
  });

  it('retries 3 times by default', async () => {
    const silent = await scriptedServer(() => undefined);
    const result = await client(['--host', '127.0.0.1', '--port', String(silent.port), '--timeout-ms', '20', 'x']);
    expect(result.stderr).toBe(`no reply from 127.0.0.1:${silent.port} after 4 attempts\n`);
    expect(silent.received).toHaveLength(4);
  });

  it('prints the replies it got before giving up on a piped line', async () => {
    const once = await scriptedServer(({ message, from }, index, s) => index === 0 && s.reply(from, upper(message)));
    const result = await client(['--host', '127.0.0.1', '--port', String(once.port), '--timeout-ms', '50', '--retries', '1'], 'first\nsecond\nthird\n');
    expect(result.code).toBe(1);
    expect(result.stdout.toString()).toBe('FIRST\n');
    expect(result.stderr).toBe(`no reply from 127.0.0.1:${once.port} after 2 attempts\n`);
  });

  it('fails at once, in one line, when the host says nothing listens on the port', async () => {
    const port = await freePort();
    const timeoutMs = 20_000;
    const startedAt = performance.now();
    const result = await client(['--host', '127.0.0.1', '--port', String(port), '--timeout-ms', String(timeoutMs), 'anyone']);
    // Less than one attempt's wait: the ICMP refusal ended it, not the retries.
    expect(performance.now() - startedAt).toBeLessThan(timeoutMs);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`connection refused by 127.0.0.1:${port} (ICMP port unreachable: nothing listens there)\n`);
    expect(result.stdout.toString()).toBe('');
  });

  it('ignores a datagram from a foreign port and prints the server reply', async () => {
    const stranger = createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', resolve));
    try {
      const real = await scriptedServer(({ message, from }, _i, s) => {
        stranger.send('NOT YOUR SERVER', from.port, from.address, () => s.reply(from, upper(message)));
      });
      const result = await client(['--host', '127.0.0.1', '--port', String(real.port), '--timeout-ms', '5000', 'trust no one']);
      expect(result.stdout.toString()).toBe('TRUST NO ONE\n');
      expect(result.code).toBe(0);
    } finally {
      stranger.close();
    }
  });
});

describe('udp-client refusals', () => {
  it('refuses a message too large for one datagram before sending it, exit 1', async () => {
    const echo = await scriptedServer(({ from }, _i, s) => s.reply(from, 'seen'));
    const result = await client(['--host', '127.0.0.1', '--port', String(echo.port), 'a'.repeat(65_508)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^message of 65508 bytes is too large for one UDP datagram to 127\.0\.0\.1:\d+ \(at most 65507 bytes over IPv4\); not sent\n$/);
    expect(result.stdout.length).toBe(0);
    expect(echo.received).toHaveLength(0);
  });

  it('refuses an oversize piped line after answering the lines before it', async () => {
    const echo = await scriptedServer(({ message, from }, _i, s) => s.reply(from, upper(message)));
    const result = await client(['--host', '127.0.0.1', '--port', String(echo.port)], `ok\n${'b'.repeat(70_000)}\nnever\n`);
    expect(result.code).toBe(1);
    expect(result.stdout.toString()).toBe('OK\n');
    expect(result.stderr).toMatch(/^message of 70000 bytes is too large[^\n]*\n$/);
    expect(echo.received).toHaveLength(1);
  });

  it('exits 1 with one line for a host name that does not resolve', async () => {
    const result = await client(['--host', 'no-such-host.invalid', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cannot resolve no-such-host\.invalid: [^\n]+\n$/);
  });

  it.each([
    [['--port', '0'], '--port'],
    [['--port', '65536'], '--port'],
    [['--timeout-ms', '0'], '--timeout-ms'],
    [['--retries', '-1'], '--retries'],
    [['--retries', 'many'], '--retries'],
    [['--log-level', 'chatty'], '--log-level'],
    [['--transform', 'upper'], '--transform'],
  ])('refuses %j with one line naming the flag and exit 2', async (args, flag) => {
    const result = await client([...args, 'words']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^udp-client: [^\n]+\n$/);
    expect(result.stderr).toContain(flag);
    expect(result.stdout.length).toBe(0);
  });

  it('prints usage for --help and exits 0', async () => {
    const result = await client(['--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.toString();
    expect(help).toMatch(/^Usage: udp-client \[flags\] \[words\.\.\.\]/);
    for (const flag of ['--host', '--port', '--timeout-ms', '--retries', '--log-level']) expect(help).toContain(flag);
  });

  it('logs to stderr, never stdout, at debug', async () => {
    const echo = await scriptedServer(({ message, from }, _i, s) => s.reply(from, upper(message)));
    const result = await client(['--host', '127.0.0.1', '--port', String(echo.port), '--log-level', 'debug', 'quiet please']);
    expect(result.stdout.toString()).toBe('QUIET PLEASE\n');
    const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.msg === 'done' && line.level === 20)).toBe(true);
  });
});

async function waitFor(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(ready()).toBe(true);
}
