import { spawnSync } from 'node:child_process';
import { runProgram, startServer, textbookScript, type RunningServer } from '@sockets/testing';

jest.setTimeout(30_000);

const hasNc = spawnSync('sh', ['-c', 'command -v nc'], { stdio: 'ignore' }).status === 0;
if (!hasNc) {
  console.warn('nc not found: skipping the netcat interop tests (apt-get install netcat-openbsd; .ci/run installs it)');
}
const withNc = hasNc ? it : it.skip;

describe('tcp-server with other clients (built program, loopback)', () => {
  let upper: RunningServer;
  let counting: RunningServer;

  beforeAll(async () => {
    [upper, counting] = await Promise.all([
      startServer('tcp-server'),
      startServer('tcp-server', ['--transform', 'count-s']),
    ]);
  });
  afterAll(async () => {
    await Promise.all([upper?.stop(), counting?.stop()]);
  });

  // The seed's client sends its sentence without a newline and waits for one recv(1024).
  it.each([
    ['upper', () => upper, 'From Server:  THIS IS THE TEXTBOOK SENTENCE'],
    // count-s answers only at a message's end: here that is the idle flush.
    ['count-s', () => counting, 'From Server:  3'],
  ])("answers the textbook's TCPClient.py (%s)", async (_name, server, expected) => {
    const result = await runProgram(textbookScript('TCPClient'), ['127.0.0.1', String(server().port)], {
      command: 'python3',
      input: 'this is the textbook sentence\n',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain(`${expected}\n`);
  });

  withNc('serves nc, which half-closes at the end of its input and exits once the server ends', async () => {
    const result = await runProgram('-N', ['127.0.0.1', String(upper.port)], {
      command: 'nc',
      input: 'hello\r\nworld\nno newline',
    });
    expect(result).toMatchObject({ code: 0, timedOut: false });
    expect(result.stdout.toString()).toBe('HELLO\r\nWORLD\nNO NEWLINE');
  });

  withNc('serves nc over IPv6', async () => {
    const v6 = await startServer('tcp-server', ['--host', '::1', '--transform', 'count-s']);
    try {
      const result = await runProgram('-N', ['::1', String(v6.port)], { command: 'nc', input: 'Mississippi\nsass' });
      expect(result).toMatchObject({ code: 0, timedOut: false });
      expect(result.stdout.toString()).toBe('4\n3');
    } finally {
      await v6.stop();
    }
  });
});
