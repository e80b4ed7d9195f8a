import {
  EXIT,
  chooseInputMode,
  helpText,
  hostFlag,
  integerFlag,
  logLevelFlag,
  parseFlags,
  portFlag,
  promptLines,
  readLines,
  runMain,
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
  host: hostFlag({ description: 'server host name or address (IPv4 or IPv6)', default: 'localhost' }),
  port: portFlag('client'),
  'timeout-ms': integerFlag({ description: 'wait for the first reply; doubles with each retry', default: 1000, min: 1, max: 60_000 }),
  retries: integerFlag({ description: 'retransmissions before giving up', default: 3, min: 0, max: 10 }),
  'log-level': logLevelFlag('warn'),
};

runMain(program.name, async () => {
  const parsed = parseFlags(program, flags, process.argv.slice(2));
  if (parsed.help) {
    process.stdout.write(helpText(program, flags));
    return EXIT.OK;
  }
  const { host, port, 'timeout-ms': timeoutMs, retries, 'log-level': level } = parsed.values;
  // stdout carries replies only.
  const logger = createLogger({ service: program.name, level, destination: 2 });
  // A reader that went away (`| head -1`) wants no more replies: that is no failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' ? EXIT.OK : EXIT.FAILURE);
  });

  const requester = new UdpRequester({ host, port, addresses: await resolveServer(host), timeoutMs, retries, logger });
  const words = parsed.positionals;
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
