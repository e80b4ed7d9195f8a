import { runProgram, startTextbookServer, type TextbookServer } from '@sockets/testing';

// The built client against the seed's own server (a Python 3 port, tools/textbook/UDPServer.py).
jest.setTimeout(60_000);

describe('udp-client with the textbook UDPServer.py', () => {
  let server: TextbookServer;
  beforeAll(async () => {
    server = await startTextbookServer('UDPServer');
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
