import { createSocket, type Socket } from 'node:dgram';
import { runProgram, startServer, udpExchange } from '@sockets/testing';

// e2e: start-up, failures and stopping of the built server.
jest.setTimeout(60_000);

describe('udp-server lifecycle', () => {
  it('logs nothing per datagram at the default level, and stops on SIGTERM with exit 0', async () => {
    const server = await startServer('udp-server');
    try {
      for (let i = 0; i < 20; i++) expect((await udpExchange(server.port, `message ${i}`)).toString()).toBe(`MESSAGE ${i}`);
    } finally {
      const exit = await server.stop('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
    }
    expect(server.logs.map((line) => line.msg)).toEqual(['server ready', 'stopping', 'stopped']);
    expect(server.logs.find((line) => line.msg === 'stopped')).toMatchObject({ signal: 'SIGTERM' });
    expect(server.stderr()).toBe('');
  });

  it('stops on SIGINT with exit 0', async () => {
    const server = await startServer('udp-server');
    expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(server.logs.some((line) => line.msg === 'stopped')).toBe(true);
  });

  it('logs each datagram at debug, and its text only at trace', async () => {
    const debug = await startServer('udp-server', ['--log-level', 'debug']);
    const trace = await startServer('udp-server', ['--log-level', 'trace']);
    try {
      await udpExchange(debug.port, 'secret words');
      await udpExchange(trace.port, 'secret words');
      await debug.waitForLog((line) => line.msg === 'datagram answered');
      await trace.waitForLog((line) => line.text === 'secret words');
    } finally {
      await Promise.all([debug.stop(), trace.stop()]);
    }
    expect(debug.logs.find((line) => line.msg === 'datagram answered')).toMatchObject({ level: 20, bytesIn: 12, bytesOut: 12 });
    expect(JSON.stringify(debug.logs)).not.toContain('secret');
  });

  it.each([
    [['--port', '70000'], '--port'],
    [['--transform', 'nope'], '--transform'],
    [['--log-level', 'loud'], '--log-level'],
    [['--colour'], '--colour'],
  ])('refuses %j with one line naming the flag and exit 2', async (args, flag) => {
    const result = await runProgram('udp-server', args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^udp-server: [^\n]+\n$/);
    expect(result.stderr).toContain(flag);
    expect(result.stdout.length).toBe(0);
  });

  it('refuses a bad PORT from the environment with exit 2', async () => {
    const result = await runProgram('udp-server', [], { env: { PORT: 'twelve' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^udp-server: PORT \(environment\)[^\n]+\n$/);
  });

  it('prints usage for --help and exits 0', async () => {
    const result = await runProgram('udp-server', ['--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.toString();
    expect(help).toMatch(/^Usage: udp-server/);
    for (const flag of ['--host', '--port', '--transform', '--log-level']) expect(help).toContain(flag);
  });

  it('exits 1 with one line naming the address and port when the port is in use', async () => {
    const holder = await boundSocket();
    try {
      const { port } = holder.address();
      const result = await runProgram('udp-server', ['--host', '127.0.0.1', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`udp-server: cannot bind 127.0.0.1:${port}: address already in use\n`);
    } finally {
      holder.close();
    }
  });

  it('exits 1 with one line for an address that is not on this machine', async () => {
    const result = await runProgram('udp-server', ['--host', '192.0.2.1', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^udp-server: cannot bind 192\.0\.2\.1:0: [^\n]+\n$/);
  });
});

function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: 0, address: '127.0.0.1', exclusive: true }, () => resolve(socket));
  });
}
