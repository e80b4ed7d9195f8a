import { readFileSync } from 'node:fs';
import { runProgram } from '@sockets/testing';
import { parseSessions, renderStreamConfig, STREAM_CONFIG_PATH } from './nginx';

/*
 * The shipped configuration's timers are chosen against the programs' defaults. These checks
 * read both sides (the file, and each program's --help) so that neither can drift alone, and
 * they run without nginx.
 */
const shipped = readFileSync(STREAM_CONFIG_PATH, 'utf8');
const withoutComments = shipped.replace(/#.*$/gm, '');

/** The body of the first `NAME {` block after `from`, braces matched. */
function block(text: string, opening: RegExp, from = 0): { body: string; end: number } {
  const match = opening.exec(text.slice(from));
  if (!match) throw new Error(`no block ${opening} in ${STREAM_CONFIG_PATH}`);
  const start = from + match.index + match[0].length;
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return { body: text.slice(start, i), end: i + 1 };
  }
  throw new Error(`unbalanced braces in ${STREAM_CONFIG_PATH}`);
}

/** Values of a directive at the top level of a block body (not inside nested blocks). */
function directive(body: string, name: string): string[] {
  const flat = body.replace(/\{[^{}]*\}/g, '');
  return [...flat.matchAll(new RegExp(`(?:^|[;\\s])${name}\\s+([^;]+);`, 'g'))].map((m) => m[1].trim());
}

function seconds(value: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!m) throw new Error(`not an nginx time: ${value}`);
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60 };
  return Number(m[1]) * unit[m[2] ?? 's'];
}

async function helpDefault(app: string, flag: string): Promise<number> {
  const help = (await runProgram(app, ['--help'])).stdout.toString();
  const line = help.split('\n').find((l) => l.trimStart().startsWith(`--${flag} `));
  const value = line && /\(default (\d+)\)/.exec(line)?.[1];
  if (!value) throw new Error(`${app} --help shows no default for --${flag}:\n${help}`);
  return Number(value);
}

const stream = block(withoutComments, /^stream\s*\{/m).body;
const tcpServer = block(stream, /server\s*\{/).body;
const udpServer = block(stream, /server\s*\{/, block(stream, /server\s*\{/).end).body;

describe('deploy/nginx/sockets.conf', () => {
  it('has a TCP server block and a UDP one, both on port 12000, the UDP one with reuseport', () => {
    expect(directive(tcpServer, 'listen')).toEqual(['12000']);
    expect(directive(udpServer, 'listen')).toEqual(['12000 udp reuseport']);
    expect(directive(tcpServer, 'proxy_pass')).toEqual(['sockets_tcp']);
    expect(directive(udpServer, 'proxy_pass')).toEqual(['sockets_udp']);
  });

  it('shares each upstream state between workers and has passive health on every instance', () => {
    for (const name of ['sockets_tcp', 'sockets_udp']) {
      const upstream = block(stream, new RegExp(`upstream ${name}\\s*\\{`)).body;
      expect(directive(upstream, 'zone')[0]).toMatch(new RegExp(`^${name} \\d+k$`));
      const servers = directive(upstream, 'server');
      expect(servers.length).toBeGreaterThan(1);
      for (const server of servers) expect(server).toMatch(/^\S+:12000 max_fails=\d+ fail_timeout=\d+s$/);
    }
  });

  it('TCP: moves failed connects on, keeps half-closed sessions for their replies, and lets tcp-server time idle peers out first', async () => {
    expect(directive(tcpServer, 'proxy_next_upstream')).toEqual(['on']);
    expect(directive(tcpServer, 'proxy_half_close')).toEqual(['on']);
    const idleTimeoutS = (await helpDefault('tcp-server', 'idle-timeout-ms')) / 1000;
    // tcp-server closes an idle connection at most one idle sweep (a second) after the timeout.
    expect(seconds(directive(tcpServer, 'proxy_timeout')[0])).toBeGreaterThan(idleTimeoutS + 1);
    const clientWaitS = (await helpDefault('tcp-client', 'timeout-ms')) / 1000;
    const [connect] = directive(tcpServer, 'proxy_connect_timeout').map(seconds);
    const [search] = directive(tcpServer, 'proxy_next_upstream_timeout').map(seconds);
    expect(connect).toBeLessThanOrEqual(search);
    expect(search).toBeLessThan(clientWaitS);
  });

  it("UDP: one reply per datagram, a session per datagram, lasting the udp-client's first wait", async () => {
    expect(directive(udpServer, 'proxy_responses')).toEqual(['1']);
    expect(directive(udpServer, 'proxy_requests')).toEqual(['1']);
    const firstWaitS = (await helpDefault('udp-client', 'timeout-ms')) / 1000;
    expect(seconds(directive(udpServer, 'proxy_timeout')[0])).toBe(firstWaitS);
  });

  it('renders for a test: instances, listen address and log directory replaced, nothing else', () => {
    const rendered = renderStreamConfig(shipped, {
      listenHost: '127.0.0.1',
      port: 40000,
      tcp: [{ host: '127.0.0.1', port: 1 }],
      udp: [
        { host: '127.0.0.1', port: 2 },
        { host: '127.0.0.1', port: 3 },
      ],
      logDir: '/tmp/x',
    });
    const upstreams = [...rendered.matchAll(/^\s*server (\S+ max_fails=\d+ fail_timeout=\d+s);/gm)].map((m) => m[1].split(' ')[0]);
    expect(upstreams).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    expect(rendered).toContain('listen 127.0.0.1:40000;');
    expect(rendered).toContain('listen 127.0.0.1:40000 udp reuseport;');
    expect(rendered).toContain('access_log /tmp/x/sockets.log sockets;');
    const strip = (text: string) => text.split('\n').filter((l) => !/^\s*(server \S+:\d+ |listen |access_log )/.test(l));
    expect(strip(rendered)).toEqual(strip(shipped));
  });

  it('reads its access log lines', () => {
    const log = [
      '127.0.0.1:50000 TCP 200 upstream=127.0.0.1:1, 127.0.0.1:2 from_client=10 to_client=12 connect=0.000, 0.000 session=0.010',
      '127.0.0.1:50001 UDP 502 upstream=- from_client=5 to_client=0 connect=- session=1.000',
    ].join('\n');
    expect(parseSessions(log)).toEqual([
      { client: '127.0.0.1', clientPort: 50000, protocol: 'TCP', status: 200, upstreams: ['127.0.0.1:1', '127.0.0.1:2'], fromClient: 10, toClient: 12 },
      { client: '127.0.0.1', clientPort: 50001, protocol: 'UDP', status: 502, upstreams: [], fromClient: 5, toClient: 0 },
    ]);
  });
});
