import pino from 'pino';
import type { Writable } from 'node:stream';
import { isatty } from 'node:tty';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface CreateLoggerOptions {
  /** Goes into every line as `service`. */
  service: string;
  level?: LogLevel;
  /** Where lines go: a file descriptor (default 1, stdout) or a stream (tests). */
  destination?: number | Writable;
  /** `json`, `pretty`, or by default pretty only when the destination is a terminal. */
  format?: LogFormat;
}

/**
 * The logger of an app: pino JSON, one event per line. Lines are written synchronously: nothing
 * is logged per message at the default level, so this costs nothing on the hot path, and it
 * means no line is lost or reordered at exit and a slow log reader slows the logger instead of
 * growing an unbounded buffer (the failure mode of an asynchronous destination).
 */
export function createLogger(options: CreateLoggerOptions): pino.Logger {
  const destination = options.destination ?? 1;
  const level = options.level ?? 'info';
  const format = options.format ?? (isTerminal(destination) ? 'pretty' : 'json');
  const base = { service: options.service };

  if (typeof destination !== 'number') {
    const stream = format === 'pretty' ? prettyStream({ ...PRETTY, destination, colorize: false }) : destination;
    return pino({ level, base }, stream);
  }
  if (format === 'pretty') {
    return pino({ level, base }, prettyStream({ ...PRETTY, destination, colorize: isTerminal(destination) }));
  }
  return pino({ level, base }, pino.destination({ dest: destination, sync: true }));
}

/** Pretty lines lead with the service, so two servers in one terminal (`npm start`) read apart. */
const PRETTY = {
  sync: true,
  translateTime: 'SYS:HH:MM:ss.l',
  messageFormat: '{service}: {msg}',
  ignore: 'service',
  singleLine: true,
} as const;

/** pino-pretty, loaded only when asked for: a server logging JSON never pays for it in memory. */
function prettyStream(options: PrettyOptions): NodeJS.WritableStream {
  const { build } = require('pino-pretty') as { build: (options: PrettyOptions) => NodeJS.WritableStream };
  return build(options);
}

type PrettyOptions = import('pino-pretty').PrettyOptions;

function isTerminal(destination: number | Writable): boolean {
  if (typeof destination === 'number') return isatty(destination);
  return Boolean((destination as { isTTY?: boolean }).isTTY);
}
