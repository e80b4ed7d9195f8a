import { clientFlags, exitWhenStdoutCloses, integerFlag, runCli } from '@sockets/cli';
import { createLogger } from '@sockets/logging';
import { runUdpClient } from '@sockets/udp';

const program = {
  name: 'udp-client',
  usage: '[flags] [words...]',
  summary: [
    'Sends a message to a UDP server and prints its reply. With words, they are the message;',
    'otherwise, at a terminal, it prompts for sentences until Ctrl-D, and from a pipe every',
    'line is a message. Replies go to stdout, one per line; diagnostics to stderr. Unanswered',
    'requests are sent again, each time waiting twice as long.',
  ].join('\n'),
  positionals: true,
};

const flags = {
  ...clientFlags(),
  'timeout-ms': integerFlag({ description: 'wait for the first reply; doubles with each retry', default: 1000, min: 1, max: 60_000 }),
  retries: integerFlag({ description: 'retransmissions before giving up', default: 3, min: 0, max: 10 }),
};

runCli(program, flags, async (values, words) => {
  const { host, port, 'timeout-ms': timeoutMs, retries, 'log-level': level, 'log-format': format, verbose, json } = values;
  // stdout carries replies only.
  const logger = createLogger({ service: program.name, level, format, destination: 2 });
  exitWhenStdoutCloses();
  await runUdpClient({ host, port, timeoutMs, retries, words, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, logger, trace: json ? 'json' : verbose ? 'text' : undefined });
});
