import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from './create-logger';
import type { Logger } from './logger';

/** An in-memory destination; `isTTY` makes it look like a terminal. */
function memoryStream(isTTY = false): Writable & { text(): string; isTTY?: boolean } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as Writable & { text(): string; isTTY?: boolean };
  stream.text = () => chunks.join('');
  if (isTTY) stream.isTTY = true;
  return stream;
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time, service and msg', () => {
    const destination = memoryStream();
    const logger = createLogger({ service: 'udp-server', destination });
    const before = Date.now();
    logger.info({ port: 12000 }, 'server ready');
    logger.warn('careful');
    const [ready, careful] = jsonLines(destination.text());
    expect(ready).toMatchObject({ level: 30, service: 'udp-server', port: 12000, msg: 'server ready' });
    expect(typeof ready.time).toBe('number');
    expect(ready.time as number).toBeGreaterThanOrEqual(before - 1000);
    expect(careful).toMatchObject({ level: 40, service: 'udp-server', msg: 'careful' });
  });

  it("puts a child's fields on every line of the child, and not on the parent's", () => {
    const destination = memoryStream();
    const logger = createLogger({ service: 'tcp-server', destination });
    const child = logger.child({ remoteAddress: '::1', remotePort: 5000 });
    child.info('connection opened');
    child.child({ stage: 'close' }).info('connection closed');
    logger.info('parent');
    const [opened, closed, parent] = jsonLines(destination.text());
    expect(opened).toMatchObject({ service: 'tcp-server', remoteAddress: '::1', remotePort: 5000, msg: 'connection opened' });
    expect(closed).toMatchObject({ service: 'tcp-server', remoteAddress: '::1', stage: 'close' });
    expect(parent).not.toHaveProperty('remoteAddress');
  });

  it('respects the level', () => {
    const destination = memoryStream();
    const logger = createLogger({ service: 's', level: 'warn', destination });
    logger.debug('no');
    logger.info('no');
    logger.warn('yes');
    logger.error('yes too');
    expect(jsonLines(destination.text()).map((line) => line.msg)).toEqual(['yes', 'yes too']);
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
  });

  it('defaults to info, and silent writes nothing', () => {
    const defaults = memoryStream();
    createLogger({ service: 's', destination: defaults }).debug('hidden');
    expect(defaults.text()).toBe('');
    const silent = memoryStream();
    createLogger({ service: 's', level: 'silent', destination: silent }).fatal('hidden');
    expect(silent.text()).toBe('');
  });

  it('logs trace and debug when asked', () => {
    const destination = memoryStream();
    const logger = createLogger({ service: 's', level: 'trace', destination });
    logger.trace('t');
    logger.debug('d');
    expect(jsonLines(destination.text()).map((line) => line.level)).toEqual([10, 20]);
  });

  describe('format', () => {
    const isJson = (text: string): boolean => {
      try {
        jsonLines(text);
        return true;
      } catch {
        return false;
      }
    };

    it('is JSON for a stream that is not a terminal', () => {
      const destination = memoryStream(false);
      createLogger({ service: 's', destination }).info('plain');
      expect(isJson(destination.text())).toBe(true);
    });

    it("is human text with format 'pretty'", () => {
      const destination = memoryStream(false);
      createLogger({ service: 'pretty-svc', destination, format: 'pretty' }).info({ port: 7 }, 'hello there');
      const text = destination.text();
      expect(isJson(text)).toBe(false);
      expect(text).toContain('INFO');
      expect(text).toContain('hello there');
      expect(text).toContain('pretty-svc');
    });

    it('is human text at a terminal, unless format json says otherwise', () => {
      const tty = memoryStream(true);
      createLogger({ service: 's', destination: tty }).info('at a terminal');
      expect(isJson(tty.text())).toBe(false);
      const option = memoryStream(true);
      createLogger({ service: 's', destination: option, format: 'json' }).info('asked for json');
      expect(isJson(option.text())).toBe(true);
    });
  });

  it('writes to a file descriptor synchronously: every line is there at once, in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logging-spec-'));
    try {
      const path = join(dir, 'log');
      const fd = openSync(path, 'w');
      const logger = createLogger({ service: 'fd-svc', destination: fd });
      for (let i = 0; i < 100; i++) logger.info({ i }, 'line');
      const lines = jsonLines(readFileSync(path, 'utf8'));
      expect(lines.map((line) => line.i)).toEqual([...Array(100).keys()]);
      expect(lines.every((line) => line.service === 'fd-svc')).toBe(true);
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a logger that libraries can take as their Logger type', () => {
    const destination = memoryStream();
    const lib: Logger = createLogger({ service: 's', destination });
    lib.child({ peer: 'x' }).info({ n: 1 }, 'through the minimal type');
    expect(jsonLines(destination.text())[0]).toMatchObject({ peer: 'x', n: 1, msg: 'through the minimal type' });
  });
});
