import { createLogger } from '@sockets/logging';
import type { ClientIo } from '@sockets/runtime';
import type { clientFlags, FlagValues, Program } from './flags';
import { exitWhenStdoutCloses } from './run-main';

type ClientFlagValues = FlagValues<ReturnType<typeof clientFlags>>;

/**
 * What both clients hand to their transport from their shared flags: the server, the words,
 * the process's streams, a logger on stderr (stdout carries replies only) and the trace asked
 * for. A reader of stdout that goes away ends the client quietly from here on.
 */
export function clientOptions(program: Program, values: ClientFlagValues, words: string[]): ClientIo & { host: string; port: number } {
  const { host, port, 'log-level': level, 'log-format': format, verbose, json } = values;
  const logger = createLogger({ service: program.name, level, format, destination: 2 });
  exitWhenStdoutCloses();
  const trace = json ? 'json' : verbose ? 'text' : undefined;
  return { host, port, words, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, logger, trace };
}
