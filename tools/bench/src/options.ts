import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { UsageError, choiceFlag, decimalFlag, integerFlag, listFlag, type FlagSpec, type FlagValues, type Program } from '@sockets/cli';
import { BENCH_TRANSFORMS, ID_LETTERS, type BenchTransform } from './payload';
import { SCENARIO_NAMES, SCENARIOS, isScenarioName, type ScenarioName } from './scenarios';

export interface ServerTarget {
  name: string;
  /** The command for each scenario this server takes part in; `{port}` and `{transform}` are filled in. */
  commands: Map<ScenarioName, string>;
  /** Servers that only know the textbook's transform sit out count-s runs. */
  upperOnly: boolean;
}

/** A JavaScript runtime our servers and the bare floors run on: `node`, `bun`, or one by path. */
export interface Runtime {
  /** What it is called in server names: `ours-bun`, `bare-bun`. */
  label: string;
  /** How bash starts it. */
  command: string;
}

export interface BenchOptions {
  scenarios: ScenarioName[];
  runtimes: Runtime[];
  servers: ServerTarget[];
  /** Servers the ratios are computed against, in turn. */
  baselines: string[];
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

/** Servers the repository holds, so a run against them needs nothing from outside it. */
export const BUILTIN_SERVERS = ['ours', 'textbook', 'bare'] as const;
export type BuiltinServer = (typeof BUILTIN_SERVERS)[number];
const DEFAULT_SERVERS: BuiltinServer[] = ['ours', 'textbook'];

/** Our servers on a runtime: `ours` on node, as every table has always called them; `ours-bun`. */
export function oursName(runtime: string): string {
  return runtime === 'node' ? 'ours' : `ours-${runtime}`;
}

/** The bare floor on a runtime: `bare-node`, `bare-bun`. */
export function floorName(runtime: string): string {
  return `bare-${runtime}`;
}

export const PROGRAM: Program = {
  name: 'bench',
  usage: '[flags]',
  summary: `Load generator for the uppercase servers. Starts each server on a free port, checks it answers,
runs a scenario against it with every reply verified byte for byte, reads the server's CPU and
peak RSS from /proc, stops it, and prints medians over rounds with ratios against the baselines.

Servers (--servers): ours (dist/apps/tcp-server, dist/apps/udp-server: every scenario);
textbook (tools/textbook/TCPServer.py for tcp-cpm, UDPServer.py for udp-*: upper only);
bare (tools/bench/floor: the least a server on the Node API can do, every scenario, both transforms).
ours and bare run on each --runtime, named ours, ours-bun, ... and bare-node, bare-bun, ...
--server NAME=COMMAND adds another, and replaces the default line-up unless --servers is given.
COMMAND is run by bash with {port} (required) and {transform} filled in; NAME@SCOPE=COMMAND
limits it to SCOPE: tcp, udp or a comma list of scenarios. Commands under one name share a column.`,
};

export function defaultThreads(): number {
  // Half the machine: the server under test needs the other half (on 2 cores a second load
  // thread only takes CPU away from the server and adds scheduling delay to the latencies).
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

/** The one table that drives both parsing and --help. */
export function benchFlags() {
  return {
    scenario: listFlag<ScenarioName>({
      description: `scenarios to run: all or a comma list of ${SCENARIO_NAMES.join(', ')}`,
      choices: SCENARIO_NAMES,
      all: true,
      default: [...SCENARIO_NAMES],
      defaultText: 'all',
    }),
    servers: {
      ...listFlag<BuiltinServer>({
        description: `built-in servers that take part: a comma list of ${BUILTIN_SERVERS.join(', ')}`,
        choices: BUILTIN_SERVERS,
        default: [],
      }),
      // Unset, not the default line-up: --server alone replaces it.
      default: undefined,
      defaultText: `${DEFAULT_SERVERS.join(',')}; none when --server is given`,
    } as FlagSpec<BuiltinServer[] | undefined>,
    runtime: runtimeFlag(),
    server: serverFlag(),
    baseline: baselineFlag(),
    rounds: integerFlag({ description: 'rounds; each runs every server once per scenario, alternating', default: 3, min: 1, max: 100 }),
    duration: decimalFlag({ description: 'measured seconds per run', default: 5, min: 0.05, max: 3600 }),
    warmup: decimalFlag({ description: 'unmeasured seconds before that', default: 0.5, min: 0, max: 600 }),
    transform: choiceFlag<BenchTransform>({
      description: 'what the servers are told and replies are checked against; upper-only servers sit out count-s',
      choices: BENCH_TRANSFORMS,
      default: 'upper',
    }),
    host: hostFlag(),
    threads: integerFlag({ description: 'load generator worker threads', default: defaultThreads(), defaultText: `${defaultThreads()}, half the CPUs`, min: 1, max: 64 }),
    size: integerFlag({ description: "bytes per message, a TCP line's LF included", default: 64, min: ID_LETTERS + 1, max: 65_507 }),
    'bulk-mib': integerFlag({ description: 'tcp-bulk: MiB streamed', default: 256, min: 1, max: 65_536 }),
    'bulk-lines': integerFlag({ description: 'tcp-bulk: lines they are cut into', default: 4, min: 1, max: 1_000_000 }),
    'udp-timeout-ms': integerFlag({ description: 'a UDP request unanswered this long is a loss', default: 200, min: 1, max: 60_000 }),
    'startup-timeout': decimalFlag({ description: 'wait this long for a server to answer', default: 30, min: 1, max: 600 }),
    out: outFlag(),
    label: labelFlag(),
  };
}

export type BenchFlagValues = FlagValues<ReturnType<typeof benchFlags>>;

// Not cli's hostFlag: that one reads $HOST, which some shells set to the machine's own name.
function hostFlag(): FlagSpec<string> {
  return {
    valueName: 'ADDR',
    description: 'address to send load to',
    default: '127.0.0.1',
    parse(raw) {
      if (raw.trim() === '' || /\s/.test(raw)) throw new Error('expected a host name or IP address');
      return raw;
    },
  };
}

function serverFlag(): FlagSpec<string[]> {
  return {
    valueName: 'SPEC',
    description: 'a server of your own, NAME=COMMAND or NAME@SCOPE=COMMAND',
    default: [],
    defaultText: 'none',
    multiple: true,
    parse(raw) {
      addServerSpec([], raw);
      return [raw];
    },
  };
}

/**
 * `node` and `bun` are looked up on PATH; any other runtime is a path to its executable, named
 * by its file name, or `LABEL=PATH` to name it (`--runtime node26=/opt/node26/bin/node`).
 */
function runtimeFlag(): FlagSpec<Runtime[]> {
  return {
    valueName: 'LIST',
    description: 'what runs ours and bare: a comma list of node, bun, PATH or LABEL=PATH',
    default: [{ label: 'node', command: 'node' }],
    defaultText: 'node',
    parse(raw) {
      const runtimes: Runtime[] = [];
      for (const item of raw.split(',').filter(Boolean)) {
        const named = /^([a-z0-9]+)=(.+)$/i.exec(item);
        const label = named ? named[1] : item === 'node' || item === 'bun' ? item : basename(item);
        const command = named ? named[2] : item;
        if (!/^[a-z0-9]+$/i.test(label)) throw new Error(`cannot name a runtime ${JSON.stringify(label)}: give it as LABEL=PATH with a LABEL of letters and digits`);
        if (runtimes.some((r) => r.label === label)) throw new Error(`two runtimes named ${label}: give one as LABEL=PATH`);
        if (!runs(command)) {
          throw new Error(isAbsolute(command) || command.includes('/') ? `${command} is not an executable` : `${command} is not on PATH; give its path, as ${label}=/path/to/${command}`);
        }
        runtimes.push({ label, command: command.includes('/') ? JSON.stringify(resolve(command)) : command });
      }
      if (runtimes.length === 0) throw new Error('expected a comma list of node, bun, PATH or LABEL=PATH');
      return runtimes;
    },
  };
}

/** Whether `command --version` runs: a runtime that cannot would fail every run of the bench. */
function runs(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function baselineFlag(): FlagSpec<string[] | undefined> {
  return {
    valueName: 'LIST',
    description: 'servers the ratios are against, a comma list; each against those after it and those not listed',
    default: undefined,
    defaultText: 'textbook, then bare-RUNTIME of each --runtime, those that take part',
    parse(raw) {
      const names = raw.split(',').filter(Boolean);
      if (names.length === 0 || !names.every((n) => SERVER_NAME.test(n))) throw new Error('expected a comma list of server names');
      return [...new Set(names)];
    },
  };
}

function outFlag(): FlagSpec<string | undefined> {
  return {
    valueName: 'DIR',
    description: 'where results go',
    default: undefined,
    defaultText: 'tools/bench/results',
    parse(raw) {
      if (raw === '') throw new Error('expected a directory');
      return resolve(raw);
    },
  };
}

function labelFlag(): FlagSpec<string | undefined> {
  return {
    valueName: 'NAME',
    description: 'file name of the results, NAME.json and NAME.svg, in --out',
    default: undefined,
    defaultText: 'the date and time',
    parse(raw) {
      // A label with a slash would name a file in some other folder, one that may not exist.
      if (raw === '' || raw === '.' || raw === '..' || /[/\\\0]/.test(raw)) throw new Error('expected a file name without "/" (use --out for the folder)');
      return raw;
    },
  };
}

/**
 * The line-up: the built-in servers named, each with the scenarios it can take part in; ours and
 * the bare floor once per runtime.
 */
export function builtinServers(
  workspaceRoot: string,
  names: readonly BuiltinServer[] = DEFAULT_SERVERS,
  runtimes: readonly Runtime[] = [{ label: 'node', command: 'node' }],
): ServerTarget[] {
  const path = (p: string) => JSON.stringify(resolve(workspaceRoot, p));
  const byProtocol = (tcp: string, udp: string) => new Map(SCENARIO_NAMES.map((s) => [s, SCENARIOS[s].protocol === 'tcp' ? tcp : udp]));
  const all: Record<BuiltinServer, ServerTarget[]> = {
    ours: runtimes.map(({ label, command }) => ({
      name: oursName(label),
      commands: byProtocol(
        `${command} ${path('dist/apps/tcp-server/main.js')} --port {port} --transform {transform}`,
        `${command} ${path('dist/apps/udp-server/main.js')} --port {port} --transform {transform}`,
      ),
      upperOnly: false,
    })),
    // The seed's TCP server is serial and closes after one recv: it only fits tcp-cpm.
    textbook: [
      {
        name: 'textbook',
        commands: new Map<ScenarioName, string>([
          ['tcp-cpm', `python3 ${path('tools/textbook/TCPServer.py')} {port}`],
          ['udp-rr', `python3 ${path('tools/textbook/UDPServer.py')} {port}`],
          ['udp-rr-w16', `python3 ${path('tools/textbook/UDPServer.py')} {port}`],
        ]),
        upperOnly: true,
      },
    ],
    // Uppercases ASCII bytes or counts s per LF, and nothing else: right for every scenario's
    // messages, which are ASCII and end at an LF.
    bare: runtimes.map(({ label, command }) => ({
      name: floorName(label),
      commands: byProtocol(
        `${command} ${path('tools/bench/floor/bare-node-tcp.mjs')} {port} {transform}`,
        `${command} ${path('tools/bench/floor/bare-node-udp.mjs')} {port} {transform}`,
      ),
      upperOnly: false,
    })),
  };
  return names.flatMap((name) => all[name]);
}

const SERVER_NAME = /^[A-Za-z0-9_.-]+$/;

/** Adds `NAME[@SCOPE]=COMMAND` to the list, merging scopes of the same name; throws what is wrong. */
export function addServerSpec(servers: ServerTarget[], spec: string): void {
  const match = /^([A-Za-z0-9_.-]+)(?:@([a-z0-9,-]+))?=(.+)$/s.exec(spec);
  if (!match) throw new Error('expected NAME=COMMAND or NAME@SCOPE=COMMAND');
  const [, name, scope, command] = match;
  if (!command.includes('{port}')) throw new Error(`the command of ${name} needs a {port} placeholder`);
  const scenarios: ScenarioName[] = [];
  for (const part of (scope ?? 'tcp,udp').split(',')) {
    if (part === 'tcp' || part === 'udp') scenarios.push(...SCENARIO_NAMES.filter((s) => SCENARIOS[s].protocol === part));
    else if (isScenarioName(part)) scenarios.push(part);
    else throw new Error(`unknown scope ${JSON.stringify(part)} for ${name}; accepted: tcp, udp, ${SCENARIO_NAMES.join(', ')}`);
  }
  let target = servers.find((s) => s.name === name);
  if (!target) servers.push((target = { name, commands: new Map(), upperOnly: false }));
  for (const scenario of scenarios) target.commands.set(scenario, command);
}

/** The run the flags ask for: the line-up, its baselines and the settings. */
export function benchOptions(v: BenchFlagValues, workspaceRoot: string): BenchOptions {
  const serverSpecs = v.server;
  const servers = builtinServers(workspaceRoot, v.servers ?? (serverSpecs.length > 0 ? [] : DEFAULT_SERVERS), v.runtime);
  const builtin = new Set(servers.map((s) => s.name));
  for (const spec of serverSpecs) {
    try {
      const name = /^[^@=]*/.exec(spec)?.[0] ?? '';
      // Merging a command into a built-in server would measure something else under its name.
      if (builtin.has(name)) throw new Error(`${name} is in --servers already; give this one another name`);
      addServerSpec(servers, spec);
    } catch (error) {
      throw new UsageError(`bench: --server: ${(error as Error).message}, got ${JSON.stringify(spec)}`);
    }
  }
  const names = servers.map((s) => s.name);
  // Ratios go against the textbook, then against the bare floor of each runtime, when they take part.
  const defaultBaselines = ['textbook', ...v.runtime.map((r) => floorName(r.label))];
  const baselines = v.baseline ?? defaultBaselines.filter((name) => names.includes(name));
  for (const baseline of baselines) {
    if (!names.includes(baseline)) throw new UsageError(`bench: --baseline: no server named ${JSON.stringify(baseline)}; servers: ${names.join(', ')}`);
  }
  return {
    scenarios: v.scenario,
    runtimes: v.runtime,
    servers,
    baselines,
    rounds: v.rounds,
    durationS: v.duration,
    warmupS: v.warmup,
    transform: v.transform,
    host: v.host,
    threads: v.threads,
    size: v.size,
    bulkMib: v['bulk-mib'],
    bulkLines: v['bulk-lines'],
    udpTimeoutMs: v['udp-timeout-ms'],
    startupTimeoutS: v['startup-timeout'],
    outDir: v.out ?? resolve(workspaceRoot, 'tools/bench/results'),
    label: v.label ?? new Date().toISOString().replace(/:/g, '-').replace(/\..*$/, ''),
  };
}

/**
 * Makes sure the results can be written before any run starts: finding out at the end loses
 * every figure of the run. Creates --out if need be.
 */
export function prepareOutput(options: Pick<BenchOptions, 'outDir' | 'label'>): void {
  try {
    mkdirSync(options.outDir, { recursive: true });
    accessSync(options.outDir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`bench: --out: cannot write results in ${options.outDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  for (const ext of ['json', 'svg']) {
    const path = join(options.outDir, `${options.label}.${ext}`);
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`bench: --label: ${path} is a directory`);
  }
}
