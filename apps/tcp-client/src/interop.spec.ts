import { runProgram, startTextbookServer, type TextbookServer } from '@sockets/testing';

// The built client against the seed's own server (a Python 3 port, tools/textbook/TCPServer.py):
// one connection at a time, one recv(1024), the reply, then close.
jest.setTimeout(60_000);

describe('tcp-client with the textbook TCPServer.py', () => {
  let server: TextbookServer;
  beforeAll(async () => {
    server = await startTextbookServer('TCPServer');
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
