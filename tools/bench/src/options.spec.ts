import { UsageError } from '@sockets/cli';
import { addServerSpec, parseOptions, type ServerTarget } from './options';

const ROOT = '/repo';

describe('parseOptions', () => {
  it('defaults to every scenario, ours against the textbook, 3 rounds of 0.5 + 5 s', () => {
    const o = parseOptions([], ROOT);
    if (o === 'help') throw new Error('unexpected help');
    expect(o.scenarios).toEqual(['tcp-pipe', 'tcp-cpm', 'tcp-bulk', 'udp-rr', 'udp-rr-w16']);
    expect(o.servers.map((s) => s.name)).toEqual(['ours', 'textbook']);
    expect(o.baseline).toBe('textbook');
    expect([o.rounds, o.warmupS, o.durationS, o.size, o.bulkMib, o.bulkLines, o.udpTimeoutMs]).toEqual([3, 0.5, 5, 64, 256, 4, 200]);
    const [ours, textbook] = o.servers;
    expect(ours.commands.get('tcp-pipe')).toBe('node "/repo/dist/apps/tcp-server/main.js" --port {port} --transform {transform}');
    expect(ours.commands.get('udp-rr')).toContain('/repo/dist/apps/udp-server/main.js');
    // The seed's TCP server is serial and closes after one recv: it only fits tcp-cpm.
    expect([...textbook.commands.keys()]).toEqual(['tcp-cpm', 'udp-rr', 'udp-rr-w16']);
    expect(textbook.upperOnly).toBe(true);
  });

  it('takes the flags', () => {
    const o = parseOptions(
      ['--scenario', 'tcp-pipe,udp-rr', '--duration', '0.3', '--warmup', '0', '--rounds', '1', '--transform', 'count-s', '--bulk-mib', '8', '--out', '/tmp/x', '--label', 'run1'],
      ROOT,
    );
    if (o === 'help') throw new Error('unexpected help');
    expect(o.scenarios).toEqual(['tcp-pipe', 'udp-rr']);
    expect([o.durationS, o.warmupS, o.rounds, o.transform, o.bulkMib, o.outDir, o.label]).toEqual([0.3, 0, 1, 'count-s', 8, '/tmp/x', 'run1']);
  });

  it('replaces the default servers with --server ones and checks the baseline exists', () => {
    const o = parseOptions(['--server', 'a=./a -p {port}', '--server', 'b@udp=./b {port}', '--baseline', 'b'], ROOT);
    if (o === 'help') throw new Error('unexpected help');
    expect(o.servers.map((s) => s.name)).toEqual(['a', 'b']);
    expect(o.baseline).toBe('b');
    expect(() => parseOptions(['--server', 'a=./a {port}', '--baseline', 'zz'], ROOT)).toThrow(/no server named "zz"/);
  });

  it.each([
    [['--scenario', 'tcp-nope'], /unknown "tcp-nope"/],
    [['--duration', '0'], /--duration: expected a number/],
    [['--rounds', '1.5'], /--rounds: expected an integer/],
    [['--transform', 'lower'], /--transform/],
    [['--size', '4'], /--size/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv, ROOT)).toThrow(UsageError);
    expect(() => parseOptions(argv, ROOT)).toThrow(message);
  });

  it('says help', () => {
    expect(parseOptions(['--help'], ROOT)).toBe('help');
  });
});

describe('addServerSpec', () => {
  it('scopes a command to a protocol or to named scenarios, and merges by name', () => {
    const servers: ServerTarget[] = [];
    addServerSpec(servers, 'ref@tcp=ref -T -p {port}');
    addServerSpec(servers, 'ref@udp-rr,udp-rr-w16=ref -u -p {port}');
    expect(servers).toHaveLength(1);
    expect(Object.fromEntries(servers[0].commands)).toEqual({
      'tcp-pipe': 'ref -T -p {port}',
      'tcp-cpm': 'ref -T -p {port}',
      'tcp-bulk': 'ref -T -p {port}',
      'udp-rr': 'ref -u -p {port}',
      'udp-rr-w16': 'ref -u -p {port}',
    });
  });

  it('keeps = and spaces inside the command', () => {
    const servers: ServerTarget[] = [];
    addServerSpec(servers, 'x=env A=1 ./x --port={port}');
    expect(servers[0].commands.get('tcp-pipe')).toBe('env A=1 ./x --port={port}');
  });

  it.each([
    ['no-equals-sign', /expected NAME=COMMAND/],
    ['x=./server --port 1', /\{port\} placeholder/],
    ['x@sctp=./x {port}', /unknown scope "sctp"/],
  ])('refuses %s', (spec, message) => {
    expect(() => addServerSpec([], spec)).toThrow(message);
  });
});
