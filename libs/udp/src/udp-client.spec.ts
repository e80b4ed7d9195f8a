import { createSocket } from 'node:dgram';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ConnectionRefusedError, MessageTooLargeError, NoReplyError, subscribeTrace, type ClientTrace, type ClientTraceEvent } from '@sockets/runtime';
import { startScriptedUdpServer, type ScriptedUdpServer, freePort } from '@sockets/testing';
import { UdpRequester, type UdpRequesterOptions } from './udp-client';

jest.setTimeout(60_000);

const IPV4 = { address: '127.0.0.1', family: 4 } as const;
const IPV6 = { address: '::1', family: 6 } as const;
const upper = (message: Buffer) => message.toString('utf8').toUpperCase();

const open: Array<{ close(): void }> = [];
afterEach(() => open.splice(0).forEach((thing) => thing.close()));

async function server(handle: Parameters<typeof startScriptedUdpServer>[0], host?: string): Promise<ScriptedUdpServer> {
  const started = await startScriptedUdpServer(handle, { host });
  open.push(started);
  return started;
}

function requester(port: number, options: Partial<UdpRequesterOptions> = {}): UdpRequester {
  const made = new UdpRequester({ host: '127.0.0.1', port, addresses: [IPV4], timeoutMs: 50, retries: 3, ...options });
  open.push(made);
  return made;
}

describe('UdpRequester', () => {
  it('returns the reply and keeps its socket while nothing was retransmitted', async () => {
    const echo = await server(({ message, from }, _i, s) => s.reply(from, upper(message)));
    const client = requester(echo.port, { timeoutMs: 5_000 });
    expect((await client.request(Buffer.from('one'))).toString()).toBe('ONE');
    expect((await client.request(Buffer.from('two'))).toString()).toBe('TWO');
    expect(echo.received).toHaveLength(2);
    expect(echo.received[1].from.port).toBe(echo.received[0].from.port);
  });

  it('retransmits until the server answers', async () => {
    const lossy = await server(({ message, from }, index, s) => {
      if (index >= 2) s.reply(from, upper(message));
    });
    const reply = await requester(lossy.port).request(Buffer.from('third time lucky'));
    expect(reply.toString()).toBe('THIRD TIME LUCKY');
    expect(lossy.received.map((d) => d.message.toString())).toEqual(Array(3).fill('third time lucky'));
    // The retransmissions come from the same socket, so a late reply to any of them counts.
    expect(new Set(lossy.received.map((d) => d.from.port)).size).toBe(1);
  });

  it('gives up after retries + 1 attempts, waiting twice as long each time', async () => {
    const silent = await server(() => undefined);
    const started = performance.now();
    const failure = requester(silent.port, { retries: 3, timeoutMs: 50 }).request(Buffer.from('anyone?'));
    await expect(failure).rejects.toThrow(NoReplyError);
    await expect(failure).rejects.toThrow(`no reply from 127.0.0.1:${silent.port} after 4 attempts`);
    // Only a lower bound: 50 + 100 + 200 + 400 ms. A constant wait would take 200 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(700);
    expect(silent.received).toHaveLength(4);
  });

  it('names the host as the user gave it', async () => {
    const silent = await server(() => undefined);
    const failure = requester(silent.port, { host: 'localhost', retries: 0 }).request(Buffer.from('x'));
    await expect(failure).rejects.toThrow(`no reply from localhost:${silent.port} after 1 attempts`);
  });

  it('uses a fresh socket after a retransmission, so a late duplicate reply is not taken for the next answer', async () => {
    let firstSender: { port: number; address: string } | undefined;
    const slow = await server(({ message, from }, index, s) => {
      if (index === 0) return; // the first 'one' is "delayed": answered only below
      if (message.toString() === 'one') {
        firstSender = from;
        s.reply(from, 'ONE');
      } else {
        // The delayed answer to the first 'one' finally arrives, right before the real answer.
        s.reply(firstSender as never, 'ONE');
        s.reply(from, upper(message));
      }
    });
    const client = requester(slow.port, { timeoutMs: 50 });
    expect((await client.request(Buffer.from('one'))).toString()).toBe('ONE');
    expect((await client.request(Buffer.from('two'))).toString()).toBe('TWO');
    const ports = slow.received.map((d) => d.from.port);
    expect(ports[0]).toBe(ports[1]);
    expect(ports[2]).not.toBe(ports[1]);
  });

  it('ignores a datagram from any other port than the server', async () => {
    const foreign = createSocket('udp4');
    open.push(foreign);
    await new Promise<void>((resolve) => foreign.bind(0, '127.0.0.1', resolve));
    const real = await server(({ message, from }, _i, s) => {
      foreign.send('FROM A STRANGER', from.port, from.address, () => s.reply(from, upper(message)));
    });
    const reply = await requester(real.port, { timeoutMs: 5_000 }).request(Buffer.from('who is there'));
    expect(reply.toString()).toBe('WHO IS THERE');
    expect(real.received).toHaveLength(1);
  });

  it('takes an empty reply to a non-empty message for no answer, and retransmits', async () => {
    // What nginx sends in front of an instance that has gone away.
    const proxy = await server(({ message, from }, i, s) => s.reply(from, i === 0 ? '' : upper(message)));
    const reply = await requester(proxy.port, { timeoutMs: 100 }).request(Buffer.from('still there?'));
    expect(reply.toString()).toBe('STILL THERE?');
    expect(proxy.received).toHaveLength(2);
  });

  it('takes an empty reply to an empty message as the answer', async () => {
    const echo = await server(({ from }, _i, s) => s.reply(from, ''));
    const reply = await requester(echo.port, { timeoutMs: 5_000 }).request(Buffer.alloc(0));
    expect(reply).toHaveLength(0);
    expect(echo.received).toHaveLength(1);
  });

  it('fails at once when the host refuses (ICMP port unreachable) and no other address is left', async () => {
    const port = await freePort();
    const startedAt = performance.now();
    const failure = requester(port, { retries: 3, timeoutMs: 5_000 }).request(Buffer.from('hello?'));
    await expect(failure).rejects.toThrow(ConnectionRefusedError);
    await expect(failure).rejects.toThrow(`connection refused by 127.0.0.1:${port}`);
    // Well within one attempt's wait: the refusal, not a timeout, ended it.
    expect(performance.now() - startedAt).toBeLessThan(5_000);
  });

  it('moves on to the next address when one refuses', async () => {
    const ipv4Only = await server(({ message, from }, _i, s) => s.reply(from, upper(message)));
    // Nothing listens on ::1 at this port, so the first address refuses; a long timeout shows
    // the move does not wait for it.
    const client = requester(ipv4Only.port, { host: 'localhost', addresses: [IPV6, IPV4], timeoutMs: 30_000, retries: 1 });
    expect((await client.request(Buffer.from('either way'))).toString()).toBe('EITHER WAY');
    expect((await client.request(Buffer.from('and again'))).toString()).toBe('AND AGAIN');
  });

  it('refuses a message larger than one IPv4 datagram without sending anything', async () => {
    const echo = await server(({ message, from }, _i, s) => s.reply(from, String(message.length)));
    const client = requester(echo.port, { timeoutMs: 5_000 });
    const failure = client.request(Buffer.alloc(65_508, 'a'));
    await expect(failure).rejects.toThrow(MessageTooLargeError);
    await expect(failure).rejects.toThrow(/65508 bytes .*at most 65507 bytes over IPv4/);
    expect((await client.request(Buffer.alloc(65_507, 'a'))).toString()).toBe('65507');
    expect(echo.received).toHaveLength(1);
  });

  it('allows 65,527 bytes over IPv6 and refuses one more', async () => {
    const echo = await server(({ message, from }, _i, s) => s.reply(from, String(message.length)), '::1');
    const client = requester(echo.port, { host: '::1', addresses: [IPV6], timeoutMs: 5_000 });
    await expect(client.request(Buffer.alloc(65_528, 'a'))).rejects.toThrow(/at most 65527 bytes over IPv6/);
    expect((await client.request(Buffer.alloc(65_527, 'a'))).toString()).toBe('65527');
    expect(echo.received).toHaveLength(1);
  });
});

/**
 * A trace that keeps its events, for tests to read: subscribed to the client channels as the
 * programs' --verbose is, until the test ends.
 */
function recorder(): ClientTrace & { events: ClientTraceEvent[]; named<N extends ClientTraceEvent['event']>(name: N): Array<Extract<ClientTraceEvent, { event: N }>> } {
  const events: ClientTraceEvent[] = [];
  const trace = {
    enabled: true,
    events,
    now: () => performance.now(),
    emit: (event: ClientTraceEvent) => events.push(event),
    summary: () => undefined,
    named: <N extends ClientTraceEvent['event']>(name: N) => events.filter((event) => event.event === name) as Array<Extract<ClientTraceEvent, { event: N }>>,
  };
  open.push({ close: subscribeTrace(trace) });
  return trace;
}

describe('UdpRequester trace', () => {
  it('traces the socket, the datagram out and the reply in, with sizes, addresses and the round trip', async () => {
    const echo = await server(({ message, from }, _i, s) => s.reply(from, upper(message)));
    const trace = recorder();
    await requester(echo.port, { timeoutMs: 5_000 }).request(Buffer.from('hi\nthere'));
    const [socket] = trace.named('socket');
    expect(trace.events.map((event) => event.event)).toEqual(['socket', 'send', 'reply']);
    expect(socket).toEqual({ event: 'socket', local: `127.0.0.1:${echo.received[0].from.port}`, remote: `127.0.0.1:${echo.port}` });
    expect(trace.named('send')[0]).toMatchObject({ message: 1, attempt: 1, bytes: 8, to: `127.0.0.1:${echo.port}`, data: Buffer.from('hi\nthere') });
    const [reply] = trace.named('reply');
    expect(reply).toMatchObject({ message: 1, attempt: 1, bytes: 8, from: `127.0.0.1:${echo.port}`, data: Buffer.from('HI\nTHERE') });
    expect(reply.rttMs).toBeGreaterThanOrEqual(0);
    expect(reply.rttMs).toBeLessThan(5_000);
  });

  it('traces each retransmission with the wait that expired and the next one, then the socket it gives up', async () => {
    const lossy = await server(({ message, from }, index, s) => index >= 2 && s.reply(from, upper(message)));
    const trace = recorder();
    await requester(lossy.port, { timeoutMs: 50, retries: 3 }).request(Buffer.from('again'));
    expect(trace.events.map((event) => event.event)).toEqual(['socket', 'send', 'retransmit', 'send', 'retransmit', 'send', 'reply', 'socket-closed']);
    expect(trace.named('retransmit')).toEqual([
      { event: 'retransmit', message: 1, attempt: 2, attempts: 4, waitedMs: 50, nextWaitMs: 100 },
      { event: 'retransmit', message: 1, attempt: 3, attempts: 4, waitedMs: 100, nextWaitMs: 200 },
    ]);
    expect(trace.named('send').map((event) => event.attempt)).toEqual([1, 2, 3]);
    expect(trace.named('reply')[0].attempt).toBe(3);
    expect(trace.named('socket-closed')[0]).toEqual({ event: 'socket-closed', local: trace.named('socket')[0].local, reason: 'retransmitted' });
  });

  it('traces the last wait when it gives up', async () => {
    const silent = await server(() => undefined);
    const trace = recorder();
    await expect(requester(silent.port, { timeoutMs: 20, retries: 1 }).request(Buffer.from('x'))).rejects.toThrow(NoReplyError);
    expect(trace.events.at(-1)).toEqual({ event: 'gave-up', message: 1, attempts: 2, waitedMs: 40 });
  });

  it('traces an empty reply to a non-empty message as ignored', async () => {
    const proxy = await server(({ message, from }, i, s) => s.reply(from, i === 0 ? '' : upper(message)));
    const trace = recorder();
    await requester(proxy.port, { timeoutMs: 100 }).request(Buffer.from('anyone?'));
    expect(trace.named('ignored')).toEqual([{ event: 'ignored', reason: 'empty-reply', bytes: 0, from: `127.0.0.1:${proxy.port}`, data: Buffer.alloc(0) }]);
    expect(trace.named('retransmit')).toHaveLength(1);
  });

  it('traces a datagram that comes while no message waits for a reply', async () => {
    // The server answers twice; the second copy comes after the first was taken.
    const stutter = await server(({ message, from }, _i, s) => {
      s.reply(from, upper(message));
      setTimeout(() => s.reply(from, `${upper(message)} AGAIN`), 20);
    });
    const trace = recorder();
    const client = requester(stutter.port, { timeoutMs: 5_000 });
    expect((await client.request(Buffer.from('once'))).toString()).toBe('ONCE');
    for (let i = 0; i < 200 && trace.named('ignored').length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(trace.named('ignored')).toEqual([{ event: 'ignored', reason: 'no-request', bytes: 10, from: `127.0.0.1:${stutter.port}`, data: Buffer.from('ONCE AGAIN') }]);
  });

  it('has nothing to trace for a datagram from a stranger: the connected socket never sees it', async () => {
    const foreign = createSocket('udp4');
    open.push(foreign);
    await new Promise<void>((resolve) => foreign.bind(0, '127.0.0.1', resolve));
    const real = await server(({ message, from }, _i, s) => {
      foreign.send('FROM A STRANGER', from.port, from.address, () => setTimeout(() => s.reply(from, upper(message)), 20));
    });
    const trace = recorder();
    await requester(real.port, { timeoutMs: 5_000 }).request(Buffer.from('who is there'));
    expect(trace.events.map((event) => event.event)).toEqual(['socket', 'send', 'reply']);
  });

  it('traces the refusal (ICMP port unreachable) and the address tried next', async () => {
    const ipv4Only = await server(({ message, from }, _i, s) => s.reply(from, upper(message)));
    const trace = recorder();
    const client = requester(ipv4Only.port, { host: 'localhost', addresses: [IPV6, IPV4], timeoutMs: 30_000, retries: 1 });
    await client.request(Buffer.from('either way'));
    expect(trace.named('refused')).toEqual([{ event: 'refused', to: `[::1]:${ipv4Only.port}`, next: `127.0.0.1:${ipv4Only.port}` }]);
    expect(trace.named('socket').map((event) => event.remote)).toEqual([`[::1]:${ipv4Only.port}`, `127.0.0.1:${ipv4Only.port}`]);

    const port = await freePort();
    const alone = recorder();
    await expect(requester(port, { timeoutMs: 5_000 }).request(Buffer.from('hello?'))).rejects.toThrow(ConnectionRefusedError);
    expect(alone.named('refused')).toEqual([{ event: 'refused', to: `127.0.0.1:${port}` }]);
  });
});

describe('UdpRequester channels', () => {
  it('publishes each step on the channels docs/TRACE.md names, with the requester as the client', async () => {
    const echo = await server(({ message, from }, _i, s) => s.reply(from, upper(message)));
    const seen: Array<[string, Record<string, unknown>]> = [];
    const names = ['sockets:udp:socket', 'sockets:client:send', 'sockets:client:reply'];
    const listeners = names.map((name) => [name, (message: unknown) => seen.push([name, message as Record<string, unknown>])] as const);
    for (const [name, listener] of listeners) subscribe(name, listener);
    try {
      const client = requester(echo.port, { timeoutMs: 5_000 });
      await client.request(Buffer.from('hello'));
      expect(seen.map(([name]) => name)).toEqual(names);
      expect(seen.every(([, message]) => message.client === client)).toBe(true);
      expect(seen[1][1]).toMatchObject({ message: 1, attempt: 1, to: `127.0.0.1:${echo.port}`, data: Buffer.from('hello') });
      expect(seen[2][1]).toMatchObject({ message: 1, attempt: 1, from: `127.0.0.1:${echo.port}`, data: Buffer.from('HELLO') });
    } finally {
      for (const [name, listener] of listeners) unsubscribe(name, listener);
    }
  });
});
