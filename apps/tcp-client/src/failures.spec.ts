import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { PROGRAM_RUNTIME, distMain, runProgram, waitUntil, type ProgramResult } from '@sockets/testing';
import { onLines, scriptedServers } from '@sockets/testing';

jest.setTimeout(30_000);

const FIVE_LINES = 'l1\nl2\nl3\nl4\nl5\n';

function client(port: number, args: string[], input?: string): Promise<ProgramResult> {
  return runProgram('tcp-client', ['--host', '127.0.0.1', '--port', String(port), ...args], { input });
}

/** Exit 1, nothing on stdout but the replies that did come, and exactly `line` on stderr. */
function expectFailure(result: ProgramResult, line: string, stdout = ''): void {
  expect({ code: result.code, stderr: result.stderr, stdout: result.stdout.toString() }).toEqual({
    code: 1,
    stderr: `${line}\n`,
    stdout,
  });
}

describe('tcp-client failures: one line on stderr that says what and where, exit 1', () => {
  const script = scriptedServers();

  it('connection refused', async () => {
    const port = await closedPort();
    expectFailure(await client(port, ['hello']), `connection refused by 127.0.0.1:${port}`);
  });

  it('no connection within --timeout-ms', async () => {
    const { port, release } = await unresponsiveListener();
    try {
      const result = await client(port, ['--timeout-ms', '500', 'hello']);
      expectFailure(result, `could not connect to 127.0.0.1:${port} within 500 ms`);
    } finally {
      release();
    }
  });

  it('no reply within --timeout-ms', async () => {
    const port = await script(() => undefined);
    const result = await client(port, ['--timeout-ms', '300', 'hello']);
    expectFailure(result, `no reply from 127.0.0.1:${port} within 300 ms (0 of 1 replies received)`);
  });

  it('replies stop coming part way through: the ones that came are printed', async () => {
    const port = await script((socket) => onLines(socket, (line, i) => i < 3 && socket.write(`${line.toUpperCase()}\n`)));
    const result = await client(port, ['--timeout-ms', '500'], FIVE_LINES);
    expectFailure(result, `no reply from 127.0.0.1:${port} within 500 ms (3 of 5 replies received)`, 'L1\nL2\nL3\n');
  });

  it('a reply that never ends: cut once it is longer than any transform makes of the message', async () => {
    // As fast as the socket takes it, no newline, for ever.
    const port = await script((socket) => {
      const chunk = Buffer.alloc(64 * 1024, 'X');
      const pump = (): void => {
        while (!socket.destroyed && socket.write(chunk));
      };
      socket.on('drain', pump);
      socket.once('data', pump);
    });
    const result = await client(port, ['hello']);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`reply 1 from 127.0.0.1:${port} is longer than any transform makes of its message: over 15 bytes for 5 sent\n`);
    // What came within the bound was printed as it came, nothing more.
    expect(result.stdout.toString()).toMatch(/^X{0,15}$/);
  });

  it('a long reply goes to stdout as it comes, not held until its line ends', async () => {
    // Half a reply, then a pause long enough to see what the client printed of it meanwhile.
    let finish: (() => void) | undefined;
    const port = await script((socket) =>
      onLines(socket, () => {
        socket.write('HALF OF ');
        finish = () => socket.write('THE REPLY\n');
      }),
    );
    const child = spawn(PROGRAM_RUNTIME, [distMain('tcp-client'), '--host', '127.0.0.1', '--port', String(port), 'half of the reply'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (stdout += text));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      await waitUntil(() => stdout === 'HALF OF ', 'the first half on stdout', 5_000);
      finish?.();
      expect(await exited).toBe(0);
      expect(stdout).toBe('HALF OF THE REPLY\n');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a reply dripped a byte at a time: cut once it has come for --timeout-ms below the least rate', async () => {
    const port = await script((socket) => {
      socket.once('data', () => {
        let sent = 0;
        const drip = setInterval(() => (sent++ < 100 && !socket.destroyed ? socket.write('H') : clearInterval(drip)), 100);
        socket.on('close', () => clearInterval(drip));
      });
    });
    const started = performance.now();
    const result = await client(port, ['--timeout-ms', '500', 'h'.repeat(60)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^reply 1 from 127\\.0\\.0\\.1:${port} too slow: \\d+ bytes in \\d+ ms, below 1024 bytes a second\\n$`));
    // The first byte at 100 ms, the cut 500 ms later; a drip that reset the clock would run 10 s.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('lines the server sends that no message asked for: not printed, and exit 1 saying how many', async () => {
    const port = await script((socket) => onLines(socket, (line) => socket.write(`${line.toUpperCase()}\nUNASKED\nAND THIS\n`)));
    const result = await client(port, ['hello']);
    expectFailure(result, `127.0.0.1:${port} sent 2 lines more than asked for (1 message sent, each answered)`, 'HELLO\n');
  });

  it('the server closes before every reply has come', async () => {
    const port = await script((socket) => {
      const lines: string[] = [];
      onLines(socket, (line) => lines.push(line));
      // Everything read, three answered, then our side ends: a clean FIN, not a reset.
      socket.on('end', () => socket.end(lines.slice(0, 3).map((line) => `${line.toUpperCase()}\n`).join('')));
    });
    const result = await client(port, [], FIVE_LINES);
    expectFailure(result, `connection closed by 127.0.0.1:${port} after 3 of 5 replies`, 'L1\nL2\nL3\n');
  });

  it('the server resets the connection before every reply has come', async () => {
    const port = await script((socket) =>
      onLines(socket, (line, i) => {
        if (i < 2) socket.write(`${line.toUpperCase()}\n`);
        // Time for the two replies to be read before the reset can discard them.
        if (i === 4) setTimeout(() => socket.resetAndDestroy(), 300);
      }),
    );
    const result = await client(port, [], FIVE_LINES);
    expectFailure(result, `connection reset by 127.0.0.1:${port} after 2 of 5 replies`, 'L1\nL2\n');
  });

  it('a server that closes at once, answering nothing, fails words mode too', async () => {
    const port = await script((socket) => socket.end());
    const result = await client(port, ['hello']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^connection (closed|reset) by 127\\.0\\.0\\.1:${port} after 0 of 1 replies\\n$`));
    expect(result.stdout.length).toBe(0);
  });
});

/** A port with nothing listening: bound by the OS, then released. */
function closedPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    }),
  );
}

/**
 * A listener whose accept queue is full, so the kernel ignores further SYNs and a connect
 * hangs: Python listens with backlog 0 and never accepts; the queue is filled here.
 */
async function unresponsiveListener(): Promise<{ port: number; release: () => void }> {
  const python: ChildProcess = spawn(
    'python3',
    ['-c', "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    python.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
    python.once('exit', (code) => reject(new Error(`python3 exited (${code})`)));
  });
  const fillers: Socket[] = [];
  let full = false;
  for (let i = 0; i < 16 && !full; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    full = !(await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    }));
  }
  const release = (): void => {
    for (const socket of fillers) socket.destroy();
    python.kill('SIGKILL');
  };
  if (!full) {
    release();
    throw new Error('could not fill the accept queue of the test listener');
  }
  return { port, release };
}
