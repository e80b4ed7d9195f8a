import { clientFlags, integerFlag, runCli, runClient } from '@sockets/cli';
import { runTcpClient } from '@sockets/tcp';

const program = {
  name: 'tcp-client',
  usage: '[flags] [words...]',
  summary: [
    'Sends sentences to a tcp-server and prints each reply on stdout, one per line.',
    'With words: they are one sentence. At a terminal: prompts until Ctrl-D.',
    'Piped: every input line is a sentence, all sent over one connection without waiting.',
  ].join('\n'),
  positionals: true,
};

const flags = {
  ...clientFlags(),
  'timeout-ms': integerFlag({
    description: 'how long to wait for the connection, and for each reply',
    default: 5000,
    min: 1,
    max: 2_147_483_647,
  }),
};

runCli(program, flags, (values, words) => runClient(program, 'tcp', values, words, (io) => runTcpClient({ ...io, timeoutMs: values['timeout-ms'] })));
