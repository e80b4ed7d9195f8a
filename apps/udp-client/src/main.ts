import { clientFlags, integerFlag, runCli, runClient } from '@sockets/cli';
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

runCli(program, flags, (values, words) => runClient(program, 'udp', values, words, (io) => runUdpClient({ ...io, timeoutMs: values['timeout-ms'], retries: values.retries })));
