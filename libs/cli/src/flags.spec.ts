import { UsageError } from './errors';
import { EXIT } from './exit-codes';
import { availableParallelism } from 'node:os';
import { runtimeSupport } from '@sockets/runtime';
import {
  helpText,
  hostFlag,
  integerFlag,
  booleanFlag,
  logFormatFlag,
  logLevelFlag,
  metricsPortFlag,
  parseFlags,
  portFlag,
  transformFlag,
  workersFlag,
} from './flags';

const server = { name: 'test-server', usage: '[flags]', summary: 'A server for tests.' };
const client = { name: 'test-client', usage: '[flags] [words...]', summary: 'A client for tests.', positionals: true };

const flags = {
  host: hostFlag({ description: 'address to bind', default: '::', defaultText: 'all interfaces' }),
  port: portFlag(),
  transform: transformFlag(),
  'log-level': logLevelFlag('info'),
  'flush-ms': integerFlag({ description: 'idle flush', default: 30, min: 1, max: 60_000 }),
};

function values(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const result = parseFlags(server, flags, argv, env);
  if (result.help) throw new Error('unexpected help');
  return result.values;
}

/** The UsageError a command line gives; fails the test if it parses. */
function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): UsageError {
  try {
    parseFlags(server, flags, argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
}

describe('parseFlags', () => {
  it('takes defaults when neither flag nor env is given', () => {
    expect(values([])).toEqual({ host: '::', port: 12000, transform: 'upper', 'log-level': 'info', 'flush-ms': 30 });
  });

  it('takes the environment over defaults, and flags over the environment', () => {
    const env = { HOST: '127.0.0.1', PORT: '4000', TRANSFORM: 'count-s', LOG_LEVEL: 'debug' };
    expect(values([], env)).toMatchObject({ host: '127.0.0.1', port: 4000, transform: 'count-s', 'log-level': 'debug' });
    expect(values(['--host', '::1', '--port=0', '--transform', 'upper', '--log-level', 'warn'], env)).toMatchObject({
      host: '::1',
      port: 0,
      transform: 'upper',
      'log-level': 'warn',
    });
  });

  it('refuses an empty environment variable as the same empty flag would be', () => {
    expect(usageError([], { PORT: '' }).message).toBe('test-server: PORT (environment): expected an integer from 0 to 65535, got ""');
    expect(usageError(['--port', '']).message).toBe('test-server: --port: expected an integer from 0 to 65535, got ""');
    expect(usageError([], { HOST: '' }).message).toBe('test-server: HOST (environment): expected a host name or IP address, got ""');
  });

  it('refuses a bad environment variable also when the flag is given', () => {
    expect(usageError(['--port', '1'], { PORT: '70000' }).message).toBe('test-server: PORT (environment): expected an integer from 0 to 65535, got "70000"');
    expect(usageError(['--transform', 'upper'], { TRANSFORM: '' }).message).toContain('TRANSFORM (environment)');
    // A good variable is simply overridden.
    expect(values(['--port', '1'], { PORT: '2' }).port).toBe(1);
  });

  it('refuses a flag that takes a value given twice, naming both values', () => {
    expect(usageError(['--port', '1', '--port', '2']).message).toBe('test-server: --port given 2 times ("1", "2"); give it once');
    expect(usageError(['--port=1', '--transform', 'upper', '--port', '1']).message).toBe('test-server: --port given 2 times ("1", "1"); give it once');
  });

  it('joins the values of a repeatable flag in order, and checks each', () => {
    const repeatable = {
      server: {
        valueName: 'SPEC',
        description: 'a server',
        default: [] as string[],
        defaultText: 'none',
        multiple: true,
        parse(raw: string) {
          if (!raw.includes('=')) throw new Error('expected NAME=COMMAND');
          return [raw];
        },
      },
    };
    expect(parseFlags(server, repeatable, ['--server', 'a=1', '--server=b=2'], {})).toEqual({ help: false, values: { server: ['a=1', 'b=2'] }, positionals: [] });
    expect(parseFlags(server, repeatable, [], {})).toEqual({ help: false, values: { server: [] }, positionals: [] });
    expect(() => parseFlags(server, repeatable, ['--server', 'a=1', '--server', 'b'], {})).toThrow('test-server: --server: expected NAME=COMMAND, got "b"');
    expect(helpText(server, repeatable)).toMatch(/^ {2}--server SPEC +a server \(default none; repeatable\)$/m);
  });

  it.each([
    [['--nope'], '--nope'],
    [['-x'], '-x'],
    [['--port'], '--port'],
    [['--port', '70000'], '--port'],
    [['--port', '1e3'], '--port'],
    [['--port', '-1'], '--port'],
    [['--port=-1'], '--port'],
    [['--port', ''], '--port'],
    [['--port', '12.5'], '--port'],
    [['--transform', 'nope'], '--transform'],
    [['--transform', 'UPPER'], '--transform'],
    [['--log-level', 'loud'], '--log-level'],
    [['--host', ''], '--host'],
    [['--flush-ms', '0'], '--flush-ms'],
    [['stray'], 'stray'],
  ])('refuses %j with one line naming %s', (argv, named) => {
    const error = usageError(argv);
    expect(error.message).toContain(named);
    expect(error.message).not.toContain('\n');
    expect(error.message.startsWith('test-server: ')).toBe(true);
    expect(error.code).toBe('ERR_USAGE');
    expect(error.exitCode).toBe(EXIT.USAGE);
  });

  it('says what is accepted', () => {
    expect(usageError(['--port', '70000']).message).toBe('test-server: --port: expected an integer from 0 to 65535, got "70000"');
    expect(usageError(['--port', '-1']).message).toBe('test-server: --port: expected an integer from 0 to 65535, got "-1"');
    expect(usageError(['--transform', 'nope']).message).toContain('upper, count-s');
    expect(usageError(['--log-level', 'loud']).message).toContain('trace, debug, info, warn, error, fatal, silent');
    expect(usageError(['--nope']).message).toContain('accepted: --help, --version, --host, --port, --transform, --log-level, --flush-ms');
  });

  it('reports a flag followed by another flag as missing its value', () => {
    expect(usageError(['--port', '--host', 'x']).message).toBe('test-server: --port needs a value (see --help)');
  });

  it('names the environment variable when the bad value came from there', () => {
    const error = usageError([], { PORT: '70000' });
    expect(error.message).toContain('PORT (environment)');
    expect(usageError([], { TRANSFORM: 'nope' }).message).toContain('TRANSFORM');
    expect(usageError([], { LOG_LEVEL: 'loud' }).message).toContain('LOG_LEVEL');
  });

  it('accepts the bounds of a port', () => {
    expect(values(['--port', '0']).port).toBe(0);
    expect(values(['--port', '65535']).port).toBe(65535);
  });

  it('answers --help and -h, even among other flags', () => {
    expect(parseFlags(server, flags, ['--help'], {})).toEqual({ help: true, version: false });
    expect(parseFlags(server, flags, ['-h'], {})).toEqual({ help: true, version: false });
    expect(parseFlags(server, flags, ['--port', '70000', '--help'], {})).toEqual({ help: true, version: false });
  });

  it('answers --version, and --help when both are asked', () => {
    expect(parseFlags(server, flags, ['--version'], {})).toEqual({ help: true, version: true });
    expect(parseFlags(server, flags, ['--version', '--help'], {})).toEqual({ help: true, version: false });
  });

  it('names the flag a typo most likely meant', () => {
    expect(usageError(['--prot', '1']).message).toMatch(/^test-server: unknown flag --prot; did you mean --port\? \(accepted: /);
    expect(usageError(['--flush', '5']).message).toContain('did you mean --flush-ms?');
    expect(usageError(['--log-levle=debug']).message).toContain('did you mean --log-level?');
    expect(usageError(['--zzzzzz']).message).not.toContain('did you mean');
  });

  it('gives the words after the flags to a program that takes them', () => {
    const result = parseFlags(client, { port: portFlag() }, ['--port', '5', 'hello', 'world'], {});
    expect(result).toEqual({ help: false, values: { port: 5 }, positionals: ['hello', 'world'] });
  });
});

describe('helpText', () => {
  const text = helpText(server, flags);

  it('starts with the usage line and summary', () => {
    expect(text.split('\n').slice(0, 3)).toEqual(['Usage: test-server [flags]', '', 'A server for tests.']);
  });

  it('lists every flag with its value name, env and default', () => {
    const lineOf = (flag: string) => text.split('\n').find((line) => line.trimStart().startsWith(flag)) ?? '';
    expect(lineOf('--host ADDR')).toMatch(/env HOST; default all interfaces\)$/);
    expect(lineOf('--port N')).toMatch(/env PORT; default 12000\)$/);
    expect(lineOf('--transform NAME')).toMatch(/upper or count-s \(env TRANSFORM; default upper\)$/);
    expect(lineOf('--log-level LEVEL')).toMatch(/env LOG_LEVEL; default info\)$/);
    expect(lineOf('--flush-ms N')).toMatch(/\(default 30\)$/);
    expect(lineOf('-h, --help')).toContain('print this help');
  });
});

describe('the service flags', () => {
  const specs = { workers: workersFlag(), 'metrics-port': metricsPortFlag(), 'log-format': logFormatFlag() };
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const result = parseFlags(server, specs, argv, env);
    if (result.help) throw new Error('unexpected help');
    return result.values;
  };

  it('default to one process, no metrics and the format the terminal decides', () => {
    expect(parse([])).toEqual({ workers: 1, 'metrics-port': undefined, 'log-format': undefined });
  });

  it('take a count, auto (one per CPU), a port, a format, from flags or the environment', () => {
    expect(parse(['--workers', '3', '--metrics-port', '0', '--log-format', 'json'])).toEqual({ workers: 3, 'metrics-port': 0, 'log-format': 'json' });
    expect(parse(['--workers', 'auto']).workers).toBe(availableParallelism());
    expect(parse([], { WORKERS: '2', METRICS_PORT: '9100', LOG_FORMAT: 'pretty' })).toEqual({ workers: 2, 'metrics-port': 9100, 'log-format': 'pretty' });
  });

  it.each([
    [['--workers', '0'], '--workers: expected auto or an integer from 1 to 1024, got "0"'],
    [['--workers', 'abc'], '--workers: expected auto or an integer from 1 to 1024, got "abc"'],
    [['--metrics-port', '70000'], '--metrics-port: expected an integer from 0 to 65535, got "70000"'],
    [['--log-format', 'JSON'], '--log-format: expected one of json, pretty, got "JSON"'],
  ])('refuse %j as a usage error', (argv, message) => {
    expect(() => parseFlags(server, specs, argv, {})).toThrow(new UsageError(`test-server: ${message}`));
  });

  it('refuse more than one worker, naming the runtime, where it cannot share a port between processes', () => {
    const bunOffLinux = { workers: workersFlag(runtimeSupport({ node: '26.3.0', bun: '1.4.5' }, 'darwin')) };
    const reason = 'bun 1.4.5 shares a port between processes only with SO_REUSEPORT, which it offers on Linux alone';
    expect(() => parseFlags(server, bunOffLinux, ['--workers', '2'], {})).toThrow(
      new UsageError(`test-server: --workers: more than one worker cannot work here: ${reason}, got "2"`),
    );
    expect(() => parseFlags(server, bunOffLinux, [], { WORKERS: '2' })).toThrow(UsageError);
    expect(parseFlags(server, bunOffLinux, ['--workers', '1'], {})).toMatchObject({ values: { workers: 1 } });
    const bunOnLinux = { workers: workersFlag(runtimeSupport({ node: '26.3.0', bun: '1.4.5' }, 'linux')) };
    expect(parseFlags(server, bunOnLinux, ['--workers', '2'], {})).toMatchObject({ values: { workers: 2 } });
  });

  it('refuse a bad value in the environment the same way as on the command line', () => {
    expect(() => parseFlags(server, specs, [], { LOG_FORMAT: 'JSON' })).toThrow('test-server: LOG_FORMAT (environment): expected one of json, pretty, got "JSON"');
    expect(() => parseFlags(server, specs, [], { WORKERS: 'many' })).toThrow(UsageError);
  });
});

describe('switches (boolean flags)', () => {
  const specs = {
    port: portFlag('client'),
    verbose: booleanFlag({ short: 'v', description: 'say more' }),
    json: booleanFlag({ description: 'as JSON', env: 'TEST_JSON' }),
  };
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const result = parseFlags(client, specs, argv, env);
    if (result.help) throw new Error('unexpected help');
    return result;
  };

  it('are false unless given, true when given by name or letter', () => {
    expect(parse([]).values).toEqual({ port: 12000, verbose: false, json: false });
    expect(parse(['--verbose', '--json']).values).toMatchObject({ verbose: true, json: true });
    expect(parse(['-v', 'hello']).values.verbose).toBe(true);
  });

  it('take no value: the next word stays a word', () => {
    expect(parse(['-v', 'hello', 'world'])).toEqual({ help: false, values: { port: 12000, verbose: true, json: false }, positionals: ['hello', 'world'] });
  });

  it('refuse a value written with =, naming the flag', () => {
    expect(() => parse(['--verbose=yes'])).toThrow(new UsageError('test-client: --verbose takes no value'));
    expect(() => parse(['--json=1'])).toThrow(new UsageError('test-client: --json takes no value'));
  });

  it('read the environment when one is named, and refuse a value there that is not yes or no', () => {
    expect(parse([], { TEST_JSON: '1' }).values.json).toBe(true);
    expect(parse([], { TEST_JSON: 'no' }).values.json).toBe(false);
    expect(() => parse([], { TEST_JSON: 'maybe' })).toThrow(UsageError);
  });

  it('show in help with their letter and without a value name', () => {
    const text = helpText(client, specs);
    const lineOf = (flag: string) => text.split('\n').find((line) => line.trimStart().startsWith(flag)) ?? '';
    expect(lineOf('-v, --verbose')).toMatch(/^ {2}-v, --verbose +say more$/);
    expect(lineOf('--json')).toMatch(/^ {2}--json +as JSON \(env TEST_JSON\)$/);
  });
});
