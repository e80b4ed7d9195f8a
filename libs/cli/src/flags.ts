import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '@sockets/logging';
import { TRANSFORM_NAMES, isTransformName, type TransformName } from '@sockets/transform';
import { RUNTIME, workersUnsupported, type RuntimeSupport } from '@sockets/runtime';
import { UsageError } from './errors';

/**
 * One flag: how it is written, where else its value may come from, and how a raw string
 * becomes a value. The same table drives parsing and `--help`, so the two cannot disagree.
 */
export interface FlagSpec<T> {
  /** Placeholder in help, e.g. `N` or `ADDR`. */
  valueName: string;
  description: string;
  /** Environment variable consulted when the flag is absent. */
  env?: string;
  default: T;
  /** How the default reads in help, when `String(default)` would not say it well. */
  defaultText?: string;
  /** Returns the value, or throws an Error whose message says what is accepted. */
  parse(raw: string): T;
  /**
   * A switch rather than an option: present or absent, never followed by a value. A boolean
   * flag's `parse` sees only environment values; on the command line its presence means true.
   */
  boolean?: boolean;
  /** A one-letter alias, `v` for `-v`. */
  short?: string;
  /**
   * May be given more than once: each occurrence is parsed to a list, and the lists are joined
   * in order (`--server a=... --server b=...`). Any other flag that takes a value is refused
   * when given twice, since which one a user meant cannot be known.
   */
  multiple?: boolean;
}

type Specs = Record<string, FlagSpec<unknown>>;
export type FlagValues<S extends Specs> = { [K in keyof S]: S[K] extends FlagSpec<infer T> ? T : never };

export interface Program {
  name: string;
  /** Shown after the name in the usage line, e.g. `[flags] [words...]`. */
  usage: string;
  summary: string;
  /** Whether words after the flags are accepted (clients: the message). */
  positionals?: boolean;
}

/** `help` is true when the user asked to be told something (`--help`, `--version`) rather than to run. */
export type ParseResult<S extends Specs> =
  | { help: true; version: boolean }
  | { help: false; values: FlagValues<S>; positionals: string[] };

/**
 * Flags win over the environment, which wins over defaults. Every value is checked wherever it
 * comes from: a bad or empty environment variable is refused as the same flag would be, also
 * when the flag is given too, so a mistake in a unit file or a container spec is found at once
 * rather than when the flag goes away. A flag that takes a value is given once.
 */
export function parseFlags<S extends Specs>(
  program: Program,
  specs: S,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): ParseResult<S> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(specs)) {
    // Every value a flag is given is kept, so one given twice can be refused by name.
    options[name] = spec.boolean ? { type: 'boolean', ...(spec.short ? { short: spec.short } : {}) } : { type: 'string', multiple: true, ...(spec.short ? { short: spec.short } : {}) };
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: program.positionals ?? false });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, specs, program, argv));
  }
  if (parsed.values.help || parsed.values.version) return { help: true, version: !parsed.values.help };

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const read = (raw: string, source: string): unknown => {
      try {
        return spec.parse(raw);
      } catch (error) {
        throw new UsageError(`${program.name}: ${source}: ${(error as Error).message}, got ${JSON.stringify(raw)}`);
      }
    };
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    const envValue = fromEnv === undefined ? undefined : read(fromEnv, `${spec.env} (environment)`);
    const raws = spec.boolean ? [] : ((parsed.values[name] as string[] | undefined) ?? []);
    if (raws.length > 1 && !spec.multiple) {
      throw new UsageError(`${program.name}: --${name} given ${raws.length} times (${raws.map((raw) => JSON.stringify(raw)).join(', ')}); give it once`);
    }
    if (spec.boolean && parsed.values[name] === true) values[name] = true;
    else if (raws.length > 0) values[name] = spec.multiple ? raws.flatMap((raw) => read(raw, `--${name}`) as unknown[]) : read(raws[0], `--${name}`);
    else if (fromEnv !== undefined) values[name] = envValue;
    else values[name] = spec.default;
  }
  return { help: false, values: values as FlagValues<S>, positionals: parsed.positionals };
}

function describeParseError(error: Error & { code?: string }, specs: Specs, program: Program, argv: string[]): string {
  const names = ['help', 'version', ...Object.keys(specs)];
  const accepted = names.map((name) => `--${name}`).join(', ');
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const meant = flag ? closestName(flag.replace(/^-+/, '').split('=')[0], names) : undefined;
      return meant
        ? `${program.name}: unknown flag ${flag}; did you mean --${meant}? (accepted: ${accepted})`
        : `${program.name}: unknown flag ${flag}; accepted: ${accepted}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // parseArgs names a switch given a value as '-v, --verbose'.
      const long = /'(?:-\w, )?--([^' ]+)'/.exec(error.message)?.[1];
      if (long && specs[long]?.boolean) return `${program.name}: --${long} takes no value`;
      return describeDashValue(flag, specs, program, argv) ?? `${program.name}: ${flag} needs a value (see --help)`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `${program.name}: unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ''}; accepted: ${accepted}`;
    default:
      return `${program.name}: ${error.message}`;
  }
}

/**
 * parseArgs refuses `--port -1` as ambiguous (the value looks like a flag). The user did give a
 * value, so say what is wrong with it rather than that it is missing.
 */
/** The flag a typo most likely meant: a prefix of it, or one or two edits away. */
function closestName(typed: string, names: string[]): string | undefined {
  if (typed.length < 2) return undefined;
  const prefixed = names.filter((name) => name.startsWith(typed));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(typed, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function describeDashValue(flag: string | undefined, specs: Specs, program: Program, argv: string[]): string | undefined {
  const name = flag?.replace(/^--/, '');
  const index = flag ? argv.indexOf(flag) : -1;
  const raw = argv[index + 1];
  // `--port --host x` lacks a value; `--port -1` has a bad one.
  const looksLikeValue = raw !== undefined && !/^--?[A-Za-z]/.test(raw);
  if (!name || !Object.prototype.hasOwnProperty.call(specs, name) || index < 0 || !looksLikeValue) return undefined;
  try {
    specs[name].parse(raw);
  } catch (parseError) {
    return `${program.name}: --${name}: ${(parseError as Error).message}, got ${JSON.stringify(raw)}`;
  }
  return `${program.name}: --${name}: a value starting with "-" must be written --${name}=${raw}`;
}

export function helpText<S extends Specs>(program: Program, specs: S): string {
  const rows: Array<[string, string]> = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.boolean ? '' : ` ${spec.valueName}`}`;
    // A switch is off unless given; saying `default false` would tell nothing.
    const defaultNote = spec.boolean && spec.defaultText === undefined ? '' : `default ${spec.defaultText ?? String(spec.default)}`;
    const notes = [spec.env ? `env ${spec.env}` : '', defaultNote, spec.multiple ? 'repeatable' : ''].filter(Boolean);
    return [flag, notes.length > 0 ? `${spec.description} (${notes.join('; ')})` : spec.description];
  });
  rows.push(['--version', 'print the version and exit'], ['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `Usage: ${program.name} ${program.usage}`,
    '',
    program.summary,
    '',
    'Flags:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    '',
    'A flag wins over its environment variable; a bad or empty value is refused from either place.',
    'A flag that takes a value is given once, unless it says repeatable.',
    '',
  ].join('\n');
}

/** An integer in [min, max]; `--port 70000` and `--port 1e3` are both refused. */
export function integerFlag(
  options: Omit<FlagSpec<number>, 'parse' | 'valueName'> & { min: number; max: number; valueName?: string },
): FlagSpec<number> {
  const { min, max, ...rest } = options;
  return {
    valueName: 'N',
    ...rest,
    parse(raw) {
      if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
        throw new Error(`expected an integer from ${min} to ${max}`);
      }
      return Number(raw);
    },
  };
}

/** A free-form value such as a file or folder, absent unless given; an empty one is refused. */
export function textFlag(options: { valueName: string; description: string; defaultText: string }): FlagSpec<string | undefined> {
  return {
    ...options,
    default: undefined,
    parse(raw) {
      if (raw === '') throw new Error(`expected a ${options.valueName.toLowerCase()}`);
      return raw;
    },
  };
}

/** A decimal in [min, max], for seconds: `--duration 0.3` is fine, `--duration 1e3` is not. */
export function decimalFlag(
  options: Omit<FlagSpec<number>, 'parse' | 'valueName'> & { min: number; max: number; valueName?: string },
): FlagSpec<number> {
  const { min, max, ...rest } = options;
  return {
    valueName: 'S',
    ...rest,
    parse(raw) {
      const value = Number(raw);
      if (!/^\d+(\.\d+)?$|^\.\d+$/.test(raw) || value < min || value > max) throw new Error(`expected a number from ${min} to ${max}`);
      return value;
    },
  };
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(
  options: Omit<FlagSpec<T>, 'parse' | 'valueName'> & { choices: readonly T[]; valueName?: string },
): FlagSpec<T> {
  const { choices, ...rest } = options;
  return {
    valueName: 'NAME',
    ...rest,
    parse(raw) {
      if (!(choices as readonly string[]).includes(raw)) throw new Error(`expected one of ${choices.join(', ')}`);
      return raw as T;
    },
  };
}

/**
 * A comma list of words from a fixed set, without repeats; `all` (when `all` is given) stands for
 * every one of them, in their own order.
 */
export function listFlag<T extends string>(
  options: Omit<FlagSpec<T[]>, 'parse' | 'valueName'> & { choices: readonly T[]; all?: boolean; valueName?: string },
): FlagSpec<T[]> {
  const { choices, all, ...rest } = options;
  return {
    valueName: 'LIST',
    ...rest,
    parse(raw) {
      const words = raw.split(',').filter(Boolean);
      if (all && words.includes('all')) return [...choices];
      const accepted = `${all ? 'all or ' : ''}a comma list of ${choices.join(', ')}`;
      if (words.length === 0) throw new Error(`expected ${accepted}`);
      for (const word of words) {
        if (!(choices as readonly string[]).includes(word)) throw new Error(`unknown ${JSON.stringify(word)}; expected ${accepted}`);
      }
      return [...new Set(words)] as T[];
    },
  };
}

/** A switch such as `--verbose`: false unless given. */
export function booleanFlag(options: { description: string; short?: string; env?: string }): FlagSpec<boolean> {
  return {
    valueName: '',
    ...options,
    boolean: true,
    default: false,
    parse(raw) {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new Error('expected 1, true, yes, on or 0, false, no, off');
    },
  };
}

/** A server's port to bind (0 lets the OS choose), or a client's port to reach (0 is no port). */
export function portFlag(role: 'server' | 'client' = 'server'): FlagSpec<number> {
  return role === 'server'
    ? integerFlag({ description: 'port number; 0 lets the OS choose', env: 'PORT', default: 12000, min: 0, max: 65535 })
    : integerFlag({ description: 'server port', env: 'PORT', default: 12000, min: 1, max: 65535 });
}

export function hostFlag(options: { description: string; default: string; defaultText?: string }): FlagSpec<string> {
  return {
    valueName: 'ADDR',
    env: 'HOST',
    ...options,
    parse(raw) {
      if (raw.trim() === '' || /\s/.test(raw)) throw new Error('expected a host name or IP address');
      return raw;
    },
  };
}

export function transformFlag(): FlagSpec<TransformName> {
  return {
    valueName: 'NAME',
    description: `what the server does to each message: ${TRANSFORM_NAMES.join(' or ')}`,
    env: 'TRANSFORM',
    default: 'upper',
    parse(raw) {
      if (!isTransformName(raw)) throw new Error(`expected one of ${TRANSFORM_NAMES.join(', ')}`);
      return raw;
    },
  };
}

export function logLevelFlag(defaultLevel: LogLevel): FlagSpec<LogLevel> {
  return {
    valueName: 'LEVEL',
    description: `log level: ${LOG_LEVELS.join(', ')}`,
    env: 'LOG_LEVEL',
    default: defaultLevel,
    parse(raw) {
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new Error(`expected one of ${LOG_LEVELS.join(', ')}`);
      return raw as LogLevel;
    },
  };
}

export function logFormatFlag(): FlagSpec<LogFormat | undefined> {
  return {
    valueName: 'FORMAT',
    description: `log format: ${LOG_FORMATS.join(' or ')}`,
    env: 'LOG_FORMAT',
    default: undefined,
    defaultText: 'pretty at a terminal, json otherwise',
    parse(raw) {
      if (!(LOG_FORMATS as readonly string[]).includes(raw)) throw new Error(`expected one of ${LOG_FORMATS.join(', ')}`);
      return raw as LogFormat;
    },
  };
}

/**
 * How many processes serve: a count, or `auto` for one per CPU this process may use. More than
 * one is refused, naming the runtime, where the runtime cannot share a port between processes.
 */
export function workersFlag(runtime: RuntimeSupport = RUNTIME): FlagSpec<number> {
  const max = 1024;
  return {
    valueName: 'N|auto',
    description: 'processes serving the one port; auto is one per CPU',
    env: 'WORKERS',
    default: 1,
    parse(raw) {
      if (raw !== 'auto' && (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)) {
        throw new Error(`expected auto or an integer from 1 to ${max}`);
      }
      const count = raw === 'auto' ? availableParallelism() : Number(raw);
      const unsupported = count > 1 ? workersUnsupported(runtime) : undefined;
      if (unsupported) throw new Error(`more than one worker cannot work here: ${unsupported}`);
      return count;
    },
  };
}

export function metricsPortFlag(): FlagSpec<number | undefined> {
  const port = integerFlag({ description: '', default: 0, min: 0, max: 65535 });
  return {
    valueName: 'N',
    description: 'port for /metrics, /healthz and /readyz on --host; 0 lets the OS choose',
    env: 'METRICS_PORT',
    default: undefined,
    defaultText: 'off',
    parse: port.parse,
  };
}

/** The flags every server has, as the contract lists them. */
export function serverFlags() {
  return {
    host: hostFlag({ description: 'address to bind', default: '::', defaultText: 'all interfaces, IPv4 and IPv6' }),
    port: portFlag('server'),
    transform: transformFlag(),
    workers: workersFlag(),
    'metrics-port': metricsPortFlag(),
    'log-level': logLevelFlag('info'),
    'log-format': logFormatFlag(),
  };
}

/** The flags every client has; clients log to stderr, and quietly by default. */
export function clientFlags() {
  return {
    host: hostFlag({ description: 'server host name or address (IPv4 or IPv6)', default: 'localhost' }),
    port: portFlag('client'),
    'log-level': logLevelFlag('warn'),
    'log-format': logFormatFlag(),
    verbose: booleanFlag({ short: 'v', description: 'trace the exchange on stderr, one line per event (socket, each message and reply, round trips) and a summary' }),
    json: booleanFlag({ description: 'the same trace as JSON lines on stderr, one object per event (implies --verbose)' }),
    diagram: booleanFlag({ description: 'instead of the trace, a Mermaid sequence diagram of the exchange on stderr, once it is over' }),
  };
}
