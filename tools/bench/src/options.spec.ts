import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, helpText, parseFlags } from '@sockets/cli';
import { PROGRAM, addServerSpec, benchFlags, benchOptions, builtinServers, prepareOutput, type BenchOptions, type ServerTarget } from './options';

const ROOT = '/repo';

function options(argv: string[]): BenchOptions {
  const parsed = parseFlags(PROGRAM, benchFlags(), argv, {});
  if (parsed.help) throw new Error('unexpected help');
  return benchOptions(parsed.values, ROOT);
}

/** The UsageError a command line gives; fails the test if it parses. */
function usageError(argv: string[]): UsageError {
  try {
    options(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
}

describe('benchOptions', () => {
  it('defaults to every scenario, ours against the textbook, 3 rounds of 0.5 + 5 s', () => {
    const o = options([]);
    expect(o.scenarios).toEqual(['tcp-pipe', 'tcp-cpm', 'tcp-bulk', 'udp-rr', 'udp-rr-w16']);
    expect(o.servers.map((s) => s.name)).toEqual(['ours', 'textbook']);
    expect(o.baselines).toEqual(['textbook']);
    expect([o.rounds, o.warmupS, o.durationS, o.size, o.bulkMib, o.bulkLines, o.udpTimeoutMs, o.host, o.transform]).toEqual([
      3, 0.5, 5, 64, 256, 4, 200, '127.0.0.1', 'upper',
    ]);
    expect(o.outDir).toBe('/repo/tools/bench/results');
    expect(o.label).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d$/);
    const [ours, textbook] = o.servers;
    expect(ours.commands.get('tcp-pipe')).toBe('node "/repo/dist/apps/tcp-server/main.js" --port {port} --transform {transform}');
    expect(ours.commands.get('udp-rr')).toContain('/repo/dist/apps/udp-server/main.js');
    // The seed's TCP server is serial and closes after one recv: it only fits tcp-cpm.
    expect([...textbook.commands.keys()]).toEqual(['tcp-cpm', 'udp-rr', 'udp-rr-w16']);
    expect(textbook.upperOnly).toBe(true);
  });

  it('takes the flags', () => {
    const o = options([
      '--scenario',
      'tcp-pipe,udp-rr',
      '--duration',
      '0.3',
      '--warmup',
      '0',
      '--rounds',
      '1',
      '--transform',
      'count-s',
      '--bulk-mib',
      '8',
      '--out',
      '/tmp/x',
      '--label',
      'run1',
      '--host=::1',
    ]);
    expect(o.scenarios).toEqual(['tcp-pipe', 'udp-rr']);
    expect([o.durationS, o.warmupS, o.rounds, o.transform, o.bulkMib, o.outDir, o.label, o.host]).toEqual([0.3, 0, 1, 'count-s', 8, '/tmp/x', 'run1', '::1']);
  });

  it('takes scenario all, and each scenario once', () => {
    expect(options(['--scenario', 'udp-rr,all']).scenarios).toHaveLength(5);
    expect(options(['--scenario', 'udp-rr,udp-rr']).scenarios).toEqual(['udp-rr']);
  });

  it('brings in the bare Node floor servers with --servers, with ratios against the textbook and against them', () => {
    const o = options(['--servers', 'ours,textbook,bare']);
    expect(o.servers.map((s) => s.name)).toEqual(['ours', 'textbook', 'bare-node']);
    expect(o.baselines).toEqual(['textbook', 'bare-node']);
    const floor = o.servers[2];
    // They do both transforms, so they stay in for count-s.
    expect(floor.upperOnly).toBe(false);
    expect(floor.commands.get('tcp-bulk')).toBe('node "/repo/tools/bench/floor/bare-node-tcp.mjs" {port} {transform}');
    expect(floor.commands.get('udp-rr-w16')).toBe('node "/repo/tools/bench/floor/bare-node-udp.mjs" {port} {transform}');
    expect(options(['--servers', 'ours,bare']).baselines).toEqual(['bare-node']);
    expect(options(['--servers', 'ours,textbook,bare', '--baseline', 'bare-node']).baselines).toEqual(['bare-node']);
  });

  it('runs ours and the bare floor on each --runtime, each against the floor of its own runtime', () => {
    const o = options(['--servers', 'ours,bare,textbook', '--runtime', `node,js=${process.execPath}`]);
    expect(o.servers.map((s) => s.name)).toEqual(['ours', 'ours-js', 'bare-node', 'bare-js', 'textbook']);
    expect(o.baselines).toEqual(['textbook', 'bare-node', 'bare-js']);
    expect(o.runtimes).toEqual([
      { label: 'node', command: 'node' },
      { label: 'js', command: JSON.stringify(process.execPath) },
    ]);
    expect(o.servers[1].commands.get('tcp-pipe')).toBe(`${JSON.stringify(process.execPath)} "/repo/dist/apps/tcp-server/main.js" --port {port} --transform {transform}`);
    expect(o.servers[3].commands.get('udp-rr')).toBe(`${JSON.stringify(process.execPath)} "/repo/tools/bench/floor/bare-node-udp.mjs" {port} {transform}`);
    // A path alone is named by its file name.
    expect(options(['--servers', 'ours', '--runtime', process.execPath]).runtimes).toEqual([{ label: 'node', command: JSON.stringify(process.execPath) }]);
  });

  it.each([
    [['--runtime', '/nowhere/bun'], 'bench: --runtime: /nowhere/bun is not an executable, got "/nowhere/bun"'],
    [['--runtime', 'no-such-runtime-here'], /^bench: --runtime: cannot name a runtime "no-such-runtime-here"/],
    [['--runtime', `node,node=${process.execPath}`], /^bench: --runtime: two runtimes named node: give one as LABEL=PATH/],
    [['--runtime', ','], /^bench: --runtime: expected a comma list of node, bun, PATH or LABEL=PATH/],
    [['--runtime', 'zz=no-such-command-here'], /^bench: --runtime: no-such-command-here is not on PATH; give its path, as zz=\/path\/to\/no-such-command-here/],
  ])('refuses --runtime %j, saying why', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  it('replaces the default servers with --server ones, every one of them, and checks the baselines exist', () => {
    const o = options(['--server', 'a=./a -p {port}', '--server', 'b@udp=./b {port}', '--server=b@tcp-cpm=./b -t {port}', '--baseline', 'b']);
    expect(o.servers.map((s) => s.name)).toEqual(['a', 'b']);
    expect([...o.servers[1].commands.keys()]).toEqual(['udp-rr', 'udp-rr-w16', 'tcp-cpm']);
    expect(o.baselines).toEqual(['b']);
    expect(options(['--server', 'a=./a {port}']).baselines).toEqual([]);
    expect(usageError(['--server', 'a=./a {port}', '--baseline', 'zz']).message).toBe('bench: --baseline: no server named "zz"; servers: a');
  });

  it('adds --server ones to the built-in servers --servers names, under other names only', () => {
    const o = options(['--servers', 'ours,bare', '--server', 'c-ref@tcp=./ref -T -p {port}', '--baseline', 'c-ref,bare-node']);
    expect(o.servers.map((s) => s.name)).toEqual(['ours', 'bare-node', 'c-ref']);
    expect(o.baselines).toEqual(['c-ref', 'bare-node']);
    expect(usageError(['--servers', 'ours', '--server', 'ours@tcp=./x {port}']).message).toMatch(/^bench: --server: ours is in --servers already/);
  });

  it.each([
    [['--scenario', 'tcp-nope'], 'bench: --scenario: unknown "tcp-nope"; expected all or a comma list of tcp-pipe, tcp-cpm, tcp-bulk, udp-rr, udp-rr-w16, got "tcp-nope"'],
    [['--servers', 'ours,c-ref'], /^bench: --servers: unknown "c-ref"/],
    [['--duration', '0'], /^bench: --duration: expected a number from 0.05 to 3600, got "0"$/],
    [['--duration', '1e3'], /^bench: --duration: expected a number/],
    [['--rounds', '1.5'], /^bench: --rounds: expected an integer/],
    [['--transform', 'lower'], /^bench: --transform: expected one of upper, count-s/],
    [['--size', '4'], /^bench: --size/],
    [['--host', ''], /^bench: --host/],
    [['--baseline', ','], /^bench: --baseline: expected a comma list of server names/],
    [['--server', 'no-equals-sign'], /^bench: --server: expected NAME=COMMAND/],
    // Not only the last of several --server flags is checked.
    [['--server', 'x=./x', '--server', 'y=./y {port}'], /^bench: --server: the command of x needs a \{port\} placeholder, got "x=.\/x"$/],
    [['--label', '/tmp/x'], /^bench: --label: expected a file name without "\/"/],
    [['--label', 'runs/one'], /^bench: --label/],
    [['--label', '..'], /^bench: --label/],
    [['--bogus'], /^bench: unknown flag --bogus; accepted: --help, --version, --scenario,/],
    [['--rounds'], /^bench: --rounds needs a value/],
    [['extra'], /^bench: unexpected argument extra/],
  ])('refuses %j in one line', (argv, message) => {
    const error = usageError(argv);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('says help', () => {
    expect(parseFlags(PROGRAM, benchFlags(), ['--help'], {})).toEqual({ help: true, version: false });
    expect(parseFlags(PROGRAM, benchFlags(), ['-h'], {})).toEqual({ help: true, version: false });
  });
});

describe('help', () => {
  it('lists every flag with its default, and the servers', () => {
    const help = helpText(PROGRAM, benchFlags());
    expect(help.startsWith('Usage: bench [flags]\n')).toBe(true);
    for (const flag of ['scenario', 'servers', 'runtime', 'server', 'baseline', 'rounds', 'duration', 'warmup', 'transform', 'host', 'threads', 'size', 'bulk-mib', 'bulk-lines', 'udp-timeout-ms', 'startup-timeout', 'out', 'label']) {
      expect(help).toMatch(new RegExp(`^  --${flag} [A-Z]+ `, 'm'));
    }
    expect(help).toContain('(default ours,textbook; none when --server is given)');
    expect(help).toContain('(default all)');
    expect(help).toContain('bare (tools/bench/floor');
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

describe('builtinServers', () => {
  it('gives the bare Node floor every scenario, by protocol', () => {
    const [floor] = builtinServers(ROOT, ['bare']);
    expect([...floor.commands.values()].map((c) => c.match(/bare-node-(tcp|udp)/)?.[1])).toEqual(['tcp', 'tcp', 'tcp', 'udp', 'udp']);
  });
});

describe('prepareOutput', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-out-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder', () => {
    prepareOutput({ outDir: join(dir, 'a', 'b'), label: 'run' });
    prepareOutput({ outDir: join(dir, 'a', 'b'), label: 'run' });
  });

  it('refuses a folder that cannot be made, naming --out', () => {
    writeFileSync(join(dir, 'file'), '');
    expect(() => prepareOutput({ outDir: join(dir, 'file', 'sub'), label: 'run' })).toThrow(UsageError);
    expect(() => prepareOutput({ outDir: join(dir, 'file', 'sub'), label: 'run' })).toThrow(/^bench: --out: cannot write results in .*file\/sub \(ENOTDIR\)$/);
  });

  it('refuses a label whose file would be a directory, naming --label', () => {
    mkdirSync(join(dir, 'run.json'));
    expect(() => prepareOutput({ outDir: dir, label: 'run' })).toThrow(/^bench: --label: .*run\.json is a directory$/);
  });
});
