import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { runProgram, textbookScript } from '@sockets/testing';

// The built client against the seed's own server (a Python 3 port, tools/textbook/TCPServer.py):
// one connection at a time, one recv(1024), the reply, then close.
jest.setTimeout(60_000);

interface TextbookServer {
  process: ChildProcess;
  port: number;
}

describe('tcp-client with the textbook TCPServer.py', () => {
  let server: TextbookServer;
  beforeAll(async () => {
    // The script takes a fixed port: pick one that is free now, and try once more should
    // something else take it first.
    server = await startTextbookServer().catch(() => startTextbookServer());
  });
  afterAll(() => server?.process.kill('SIGKILL'));

  it('gets the uppercase reply for its words', async () => {
    const result = await runProgram('tcp-client', ['--host', '127.0.0.1', '--port', String(server.port), 'hello', 'textbook']);
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code: 0,
      stdout: 'HELLO TEXTBOOK\n',
      stderr: '',
    });
  });

  it('gets the reply for one piped line, again on a new connection', async () => {
    const result = await runProgram('tcp-client', ['--host', '127.0.0.1', '--port', String(server.port)], {
      input: 'second connection\n',
    });
    expect({ code: result.code, stdout: result.stdout.toString() }).toEqual({ code: 0, stdout: 'SECOND CONNECTION\n' });
  });
});

async function startTextbookServer(): Promise<TextbookServer> {
  const port = await freeTcpPort();
  const child = spawn('python3', [textbookScript('TCPServer'), String(port)], {
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => (output += text));
  child.stderr?.on('data', (text: string) => (output += text));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`TCPServer.py not ready within 15 s: ${output}`));
    }, 15_000);
    child.stdout?.on('data', () => {
      if (output.includes('The server is ready to receive')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`TCPServer.py exited (${code}): ${output}`));
    });
  });
  return { process: child, port };
}

/** A port nothing listens on right now, on every IPv4 interface (the textbook server binds ''). */
function freeTcpPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '0.0.0.0', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    }),
  );
}
