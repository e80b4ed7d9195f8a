import { runProgram, startServer, textbookScript, type RunningServer } from '@sockets/testing';

// The seed's own client (a Python 3 port, tools/textbook/UDPClient.py) against the built server.
jest.setTimeout(60_000);

describe('udp-server with the textbook UDPClient.py', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer('udp-server');
  });
  afterAll(() => server.stop());

  it('answers the sentence the textbook client reads after its prompt', async () => {
    const result = await runProgram(textbookScript('UDPClient'), ['127.0.0.1', String(server.port)], {
      command: 'python3',
      input: 'hello from the textbook\n',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('Input lowercase sentence:HELLO FROM THE TEXTBOOK\n');
  });
});
