import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@sockets/cli';
import { BENCH_TRANSFORMS, ID_LETTERS, type BenchTransform } from './payload';
import { SCENARIO_NAMES, SCENARIOS, isScenarioName, type ScenarioName } from './scenarios';

export interface ServerTarget {
  name: string;
  /** The command for each scenario this server takes part in; `{port}` and `{transform}` are filled in. */
  commands: Map<ScenarioName, string>;
  /** Servers that only know the textbook's transform sit out count-s runs. */
  upperOnly: boolean;
}

export interface BenchOptions {
  scenarios: ScenarioName[];
  servers: ServerTarget[];
  baseline: string | undefined;
  rounds: number;
  durationS: number;
  warmupS: number;
  transform: BenchTransform;
  host: string;
  threads: number;
  size: number;
  bulkMib: number;
  bulkLines: number;
  udpTimeoutMs: number;
  startupTimeoutS: number;
  outDir: string;
  label: string;
}

export const HELP = `Usage: bench [flags]

Load generator for the uppercase servers. Starts each server on a free port, checks it answers,
runs a scenario against it with every reply verified byte for byte, reads the server's CPU and
peak RSS from /proc, stops it, and prints medians over rounds with ratios against a baseline.

Flags:
  --scenario LIST       comma list of ${SCENARIO_NAMES.join(', ')}, or all (default all)
  --server SPEC         NAME=COMMAND or NAME@SCOPE=COMMAND, repeatable; COMMAND is run by bash
                        with {port} (required) and {transform} filled in; SCOPE is tcp, udp or a
                        comma list of scenarios (default: every selected scenario). Without
                        --server: ours (dist/apps/tcp-server, dist/apps/udp-server) against
                        textbook (tools/textbook/TCPServer.py for tcp-cpm, UDPServer.py for udp-*)
  --baseline NAME       server the ratios are computed against (default textbook, if present)
  --rounds N            rounds; each runs every server once per scenario, alternating (default 3)
  --duration S          measured seconds per run (default 5)
  --warmup S            unmeasured seconds before that (default 0.5)
  --transform NAME      upper or count-s: what the servers are told and replies are checked
                        against (default upper; upper-only servers sit out count-s)
  --host ADDR           address to send load to (default 127.0.0.1)
  --threads N           load generator worker threads (default ${defaultThreads()})
  --size N              bytes per message, a TCP line's LF included (default 64)
  --bulk-mib N          tcp-bulk: MiB streamed (default 256)
  --bulk-lines N        tcp-bulk: lines they are cut into (default 4)
  --udp-timeout-ms N    a UDP request unanswered this long is a loss (default 200)
  --startup-timeout S   wait this long for a server to answer (default 30)
  --out DIR             where results go (default tools/bench/results)
  --label NAME          file name of the results: NAME.json, NAME.svg (default: the date and time)
  -h, --help            print this help and exit
`;

export function defaultThreads(): number {
  // Half the machine: the server under test needs the other half (on 2 cores a second load
  // thread only takes CPU away from the server and adds scheduling delay to the latencies).
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

/** The comparison a plain `bench` run makes: the project's servers against the seed's. */
export function defaultServers(workspaceRoot: string): ServerTarget[] {
  const path = (p: string) => JSON.stringify(resolve(workspaceRoot, p));
  const ours = new Map<ScenarioName, string>();
  for (const name of SCENARIO_NAMES) {
    const app = SCENARIOS[name].protocol === 'tcp' ? 'tcp-server' : 'udp-server';
    ours.set(name, `node ${path(`dist/apps/${app}/main.js`)} --port {port} --transform {transform}`);
  }
  const textbook = new Map<ScenarioName, string>([
    ['tcp-cpm', `python3 ${path('tools/textbook/TCPServer.py')} {port}`],
    ['udp-rr', `python3 ${path('tools/textbook/UDPServer.py')} {port}`],
    ['udp-rr-w16', `python3 ${path('tools/textbook/UDPServer.py')} {port}`],
  ]);
  return [
    { name: 'ours', commands: ours, upperOnly: false },
    { name: 'textbook', commands: textbook, upperOnly: true },
  ];
}

/** Adds `NAME[@SCOPE]=COMMAND` to the list, merging scopes of the same name. */
export function addServerSpec(servers: ServerTarget[], spec: string): void {
  const match = /^([A-Za-z0-9_.-]+)(?:@([a-z0-9,-]+))?=(.+)$/s.exec(spec);
  if (!match) throw new UsageError(`bench: --server: expected NAME=COMMAND or NAME@SCOPE=COMMAND, got ${JSON.stringify(spec)}`);
  const [, name, scope, command] = match;
  if (!command.includes('{port}')) throw new UsageError(`bench: --server ${name}: the command needs a {port} placeholder`);
  const scenarios: ScenarioName[] = [];
  for (const part of (scope ?? 'tcp,udp').split(',')) {
    if (part === 'tcp' || part === 'udp') scenarios.push(...SCENARIO_NAMES.filter((s) => SCENARIOS[s].protocol === part));
    else if (isScenarioName(part)) scenarios.push(part);
    else throw new UsageError(`bench: --server ${name}: unknown scope ${JSON.stringify(part)}; accepted: tcp, udp, ${SCENARIO_NAMES.join(', ')}`);
  }
  let target = servers.find((s) => s.name === name);
  if (!target) servers.push((target = { name, commands: new Map(), upperOnly: false }));
  for (const scenario of scenarios) target.commands.set(scenario, command);
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`bench: --${flag}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function parseOptions(argv: string[], workspaceRoot: string): BenchOptions | 'help' {
  const v = parseRaw(argv).values;
  if (v.help) return 'help';

  const scenarioList = (v.scenario ?? 'all').split(',').filter(Boolean);
  const scenarios = scenarioList.includes('all') ? [...SCENARIO_NAMES] : scenarioList;
  for (const s of scenarios) {
    if (!isScenarioName(s)) throw new UsageError(`bench: --scenario: unknown ${JSON.stringify(s)}; accepted: all, ${SCENARIO_NAMES.join(', ')}`);
  }
  const transform = (v.transform ?? 'upper') as BenchTransform;
  if (!BENCH_TRANSFORMS.includes(transform)) throw new UsageError(`bench: --transform: expected upper or count-s, got ${JSON.stringify(v.transform)}`);

  let servers: ServerTarget[];
  if (v.server && v.server.length > 0) {
    servers = [];
    for (const spec of v.server) addServerSpec(servers, spec);
  } else {
    servers = defaultServers(workspaceRoot);
  }
  const baseline = v.baseline ?? (servers.some((s) => s.name === 'textbook') ? 'textbook' : undefined);
  if (baseline !== undefined && !servers.some((s) => s.name === baseline)) {
    throw new UsageError(`bench: --baseline: no server named ${JSON.stringify(baseline)}; servers: ${servers.map((s) => s.name).join(', ')}`);
  }
  const size = number('size', v.size, 64, ID_LETTERS + 1, 65_507, true);
  return {
    scenarios: scenarios as ScenarioName[],
    servers,
    baseline,
    rounds: number('rounds', v.rounds, 3, 1, 100, true),
    durationS: number('duration', v.duration, 5, 0.05, 3600, false),
    warmupS: number('warmup', v.warmup, 0.5, 0, 600, false),
    transform,
    host: v.host ?? '127.0.0.1',
    threads: number('threads', v.threads, defaultThreads(), 1, 64, true),
    size,
    bulkMib: number('bulk-mib', v['bulk-mib'], 256, 1, 65_536, true),
    bulkLines: number('bulk-lines', v['bulk-lines'], 4, 1, 1_000_000, true),
    udpTimeoutMs: number('udp-timeout-ms', v['udp-timeout-ms'], 200, 1, 60_000, true),
    startupTimeoutS: number('startup-timeout', v['startup-timeout'], 30, 1, 600, false),
    outDir: resolve(v.out ?? resolve(workspaceRoot, 'tools/bench/results')),
    label: v.label ?? new Date().toISOString().replace(/:/g, '-').replace(/\..*$/, ''),
  };
}

function parseRaw(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(`bench: ${(error as Error).message} (see --help)`);
  }
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  scenario: { type: 'string' },
  server: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  rounds: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  transform: { type: 'string' },
  host: { type: 'string' },
  threads: { type: 'string' },
  size: { type: 'string' },
  'bulk-mib': { type: 'string' },
  'bulk-lines': { type: 'string' },
  'udp-timeout-ms': { type: 'string' },
  'startup-timeout': { type: 'string' },
  out: { type: 'string' },
  label: { type: 'string' },
} as const;
