import {
  chooseInputMode,
  clientFlags,
  exitWhenStdoutCloses,
  EXIT,
  integerFlag,
  promptLines,
  readLines,
  runCli,
} from '@sockets/cli';
import { createLogger } from '@sockets/logging';
import { exchangeAll } from './exchange-all';
import { resolveServer } from './resolve-server';
import { UdpRequester } from './udp-requester';

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

runCli(program, flags, async (values, positionals) => {
  const { host, port, 'timeout-ms': timeoutMs, retries, 'log-level': level } = values;
  // stdout carries replies only.
  const logger = createLogger({ service: program.name, level, destination: 2 });
  exitWhenStdoutCloses();

  const requester = new UdpRequester({ host, port, addresses: await resolveServer(host), timeoutMs, retries, logger });
  const words = positionals;
  const mode = chooseInputMode(words, process.stdin);
  const messages =
    mode === 'words'
      ? [Buffer.from(words.join(' '), 'utf8')]
      : mode === 'interactive'
        ? promptLines(process.stdin, process.stderr)
        : readLines(process.stdin);
  try {
    const answered = await exchangeAll(messages, (message) => requester.request(message), process.stdout);
    logger.debug({ mode, answered }, 'done');
    return EXIT.OK;
  } finally {
    requester.close();
  }
});
