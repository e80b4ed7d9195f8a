import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { runProgram, textbookScript } from '@sockets/testing';

// The built client against the seed's own server (a Python 3 port, tools/textbook/UDPServer.py).
jest.setTimeout(60_000);

interface TextbookServer {
  process: ChildProcess;
  port: number;
}

describe('udp-client with the textbook UDPServer.py', () => {
  let server: TextbookServer;
  beforeAll(async () => {
    // The script takes a fixed port: pick one that is free now, and try once more should
    // something else take it first.
    server = await startTextbookServer().catch(() => startTextbookServer());
  });
  afterAll(() => server?.process.kill('SIGTERM'));

  it('gets the uppercase reply for its words', async () => {
    const result = await runProgram('udp-client', ['--host', '127.0.0.1', '--port', String(server.port), 'hello', 'textbook']);
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      code: 0,
      stdout: 'HELLO TEXTBOOK\n',
      stderr: '',
    });
  });

  it('gets one reply per piped line, in order', async () => {
    const result = await runProgram('udp-client', ['--host', '127.0.0.1', '--port', String(server.port)], {
      input: 'first line\nsecond line\nstraße\n',
    });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('FIRST LINE\nSECOND LINE\nSTRASSE\n');
  });
});

async function startTextbookServer(): Promise<TextbookServer> {
  const port = await freeUdpPort();
  const child = spawn('python3', [textbookScript('UDPServer'), String(port)], {
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
      reject(new Error(`UDPServer.py not ready within 15 s: ${output}`));
    }, 15_000);
    child.stdout?.on('data', () => {
      if (output.includes('The server is ready to receive')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`UDPServer.py exited (${code}): ${output}`));
    });
  });
  return { process: child, port };
}

/** A port nothing listens on right now, on every IPv4 interface (the textbook server binds ''). */
function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve) =>
    socket.bind(0, '0.0.0.0', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    }),
  );
}
