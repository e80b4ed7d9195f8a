import { createLogger } from '@sockets/logging';
import { createClientView, subscribeTrace, type ClientIo } from '@sockets/runtime';
import type { clientFlags, FlagValues, Program } from './flags';
import { exitWhenStdoutCloses } from './run-main';

type ClientFlagValues = FlagValues<ReturnType<typeof clientFlags>>;

/**
 * Runs a client the way both programs run theirs: the server and words from the flags, the
 * process's streams, a logger on stderr (stdout carries replies only), and the view of the
 * exchange the flags ask for. The `--verbose` trace (`--json` for JSON lines) or the
 * `--diagram` listens to the client channels for the whole run and writes its summary (the
 * diagram, all of it) at the end, also after a failure: what did get through is part of the
 * story. A reader of stdout that goes away ends the client quietly.
 */
export async function runClient(
  program: Program,
  protocol: 'tcp' | 'udp',
  values: ClientFlagValues,
  words: string[],
  run: (io: ClientIo & { host: string; port: number }) => Promise<void>,
): Promise<void> {
  const { host, port, 'log-level': level, 'log-format': format, verbose, json, diagram } = values;
  const logger = createLogger({ service: program.name, level, format, destination: 2 });
  exitWhenStdoutCloses();
  const trace = createClientView(diagram ? 'diagram' : json ? 'json' : verbose ? 'text' : undefined, process.stderr, protocol);
  const unsubscribe = trace.enabled ? subscribeTrace(trace) : () => undefined;
  try {
    await run({ host, port, words, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, logger });
  } finally {
    trace.summary();
    unsubscribe();
  }
}
