import { spawn, spawnSync } from 'node:child_process';
import { PROGRAM_RUNTIME, distMain, runProgram, startServer, type RunningServer } from '@sockets/testing';
import { onLines, startScriptedServer } from '@sockets/testing';

jest.setTimeout(30_000);

const hasScript = spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status === 0;
if (!hasScript) console.warn('script (util-linux) not found: skipping the interactive test, which needs a pseudo-terminal');
const withPty = hasScript ? it : it.skip;

describe('tcp-client input modes against the built tcp-server', () => {
  let server: RunningServer;
  const client = (args: string[], input?: string | Buffer) =>
    runProgram('tcp-client', ['--host', '127.0.0.1', '--port', String(server.port), ...args], { input });

  beforeAll(async () => {
    server = await startServer('tcp-server', ['--log-level', 'debug']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('words: joins them into one message and prints the one reply', async () => {
    const result = await client(['hello', 'wide', 'world']);
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code: 0,
      stdout: 'HELLO WIDE WORLD\n',
      stderr: '',
    });
  });

  it('words: resolves a host name', async () => {
    const result = await runProgram('tcp-client', ['--host', 'localhost', '--port', String(server.port), 'by', 'name']);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe('BY NAME\n');
  });

  it('works over IPv6', async () => {
    const v6 = await startServer('tcp-server', ['--host', '::1']);
    try {
      const result = await runProgram('tcp-client', ['--host', '::1', '--port', String(v6.port), 'six']);
      expect({ code: result.code, stdout: result.stdout.toString() }).toEqual({ code: 0, stdout: 'SIX\n' });
    } finally {
      await v6.stop();
    }
  });

  it('piped: one reply per line, in order, whatever the line ended with', async () => {
    const result = await client([], 'first line\r\nsecond line\n\nstraße\nlast, no newline');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('FIRST LINE\nSECOND LINE\n\nSTRASSE\nLAST, NO NEWLINE\n');
  });

  it('piped: a line that ends in CR keeps it, and its reply is printed as the server sent it', async () => {
    // Input `c CR CR LF`: the line is `c CR`. Sent with LF alone the server would read CR LF
    // as the terminator and answer `C`.
    const result = await client([], 'c\r\r\nd\n');
    expect(result.code).toBe(0);
    expect(result.stdout.toString('latin1')).toBe('C\r\nD\n');
  });

  it('piped: bytes that are not UTF-8 go out and come back unchanged', async () => {
    const result = await client([], Buffer.from([0x61, 0xff, 0x62, 0x0a]));
    expect(result.code).toBe(0);
    expect(result.stdout).toEqual(Buffer.from([0x41, 0xff, 0x42, 0x0a]));
  });

  it('piped: empty input sends nothing and exits 0', async () => {
    const result = await client([], '');
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('piped: 10,000 lines over one connection, replies in order', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `message number ${i}`);
    const result = await client(['--log-level', 'warn'], `${lines.join('\n')}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(`${lines.join('\n').toUpperCase()}\n`);
    const closes = await server.waitForLog((line) => line.msg === 'connection closed' && line.messages === 10_000);
    expect(closes).toMatchObject({ bytesIn: Buffer.byteLength(`${lines.join('\n')}\n`) });
  });

  it('keeps diagnostics on stderr: stdout carries replies only', async () => {
    const result = await client(['--log-level', 'debug', 'only', 'this']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('ONLY THIS\n');
    expect(result.stderr).toContain('"msg":"connected"');
  });

  withPty('interactive: prompts at a terminal, answers each sentence, ends at Ctrl-D', async () => {
    const terminal = startAtTerminal(server.port);
    try {
      await terminal.seen('Input lowercase sentence:');
      terminal.type('hello there\n');
      await terminal.seen('HELLO THERE');
      // The next prompt may arrive in the same chunk as the reply: look after the reply itself.
      const mark = terminal.output().indexOf('HELLO THERE') + 'HELLO THERE'.length;
      await terminal.seen('Input lowercase sentence:', mark);
      terminal.type('and again\n');
      await terminal.seen('AND AGAIN', mark);
      terminal.type('\x04');
      expect(await terminal.exited).toBe(0);
      // Ctrl-D ends the prompt's line: whatever the shell writes next starts a line of its own.
      expect(terminal.output().slice(terminal.output().lastIndexOf('Input lowercase sentence:')).endsWith('\n')).toBe(true);
    } finally {
      terminal.kill();
    }
  });

  withPty('interactive: reconnects when the server has closed the idle connection meanwhile', async () => {
    const strict = await startServer('tcp-server', ['--idle-timeout-ms', '200', '--log-level', 'debug']);
    const terminal = startAtTerminal(strict.port);
    try {
      terminal.type('before\n');
      await terminal.seen('BEFORE');
      await strict.waitForLog((line) => line.msg === 'connection closed' && line.reason === 'idle timeout');
      terminal.type('after\n');
      await terminal.seen('AFTER');
      terminal.type('\x04');
      expect(await terminal.exited).toBe(0);
    } finally {
      terminal.kill();
      await strict.stop();
    }
  });
});

describe('tcp-client pipelining', () => {
  it('has many lines in flight: a server that answers only after 200 lines still gets them all', async () => {
    const count = 200;
    // A client that waited for each reply before sending the next line would never get one.
    const server = await startScriptedServer((socket) => {
      const received: string[] = [];
      onLines(socket, (line) => {
        received.push(line);
        if (received.length === count) socket.write(received.map((l) => `${l.toUpperCase()}\n`).join(''));
      });
    });
    try {
      const lines = Array.from({ length: count }, (_, i) => `line ${i}`);
      const result = await runProgram('tcp-client', ['--host', '127.0.0.1', '--port', String(server.port), '--timeout-ms', '10000'], {
        input: `${lines.join('\n')}\n`,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.toString()).toBe(`${lines.join('\n').toUpperCase()}\n`);
    } finally {
      await server.close();
    }
  });
});

describe('tcp-client command line', () => {
  it.each([
    [['--port', '70000', 'x'], '--port'],
    [['--timeout-ms', '0', 'x'], '--timeout-ms'],
    [['--retries', '3', 'x'], '--retries'],
  ])('exits 2 with one line for %j', async (args, flag) => {
    const result = await runProgram('tcp-client', args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(flag);
    expect(result.stdout.length).toBe(0);
  });

  it('prints help with every flag', async () => {
    const result = await runProgram('tcp-client', ['--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--host', '--port', '--timeout-ms', '--log-level']) expect(result.stdout.toString()).toContain(flag);
  });
});

/** The client under a pseudo-terminal (util-linux `script`), as a user at a prompt runs it. */
function startAtTerminal(port: number) {
  const command = `${JSON.stringify(PROGRAM_RUNTIME)} ${JSON.stringify(distMain('tcp-client'))} --host 127.0.0.1 --port ${port}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const seen = (text: string, after = 0): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (output.indexOf(text, after) === -1) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      };
      const timer = setTimeout(() => {
        child.stdout.off('data', check);
        reject(new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(output)}`));
      }, 10_000);
      child.stdout.on('data', check);
      check();
    });
  return {
    seen,
    exited,
    output: () => output,
    type: (keys: string) => child.stdin.write(keys),
    kill: () => child.kill('SIGKILL'),
  };
}
