import { decimalFlag, runCli, serveOptions, serverFlags } from '@sockets/cli';
import { serve } from '@sockets/runtime';
import { createUdpServer } from '@sockets/udp';

const program = {
  name: 'udp-server',
  usage: '[flags]',
  summary: 'Answers every UDP datagram with its transform, sent back to the address and port it came from.',
};

const flags = {
  ...serverFlags(),
  'drop-rate': decimalFlag({
    valueName: 'P',
    description: 'for learning and testing only: drop this fraction of datagrams unanswered, evenly spread, the first among them (0.5: every other one)',
    default: 0,
    min: 0,
    max: 1,
  }),
};

runCli(program, flags, async (values) => {
  const { transform, 'drop-rate': dropRate } = values;
  await serve({
    ...serveOptions(program, values),
    protocol: 'udp',
    // Never quietly: a server that loses datagrams on purpose says so in its ready line.
    settings: dropRate > 0 ? { dropRate } : undefined,
    createService: (logger) => createUdpServer({ transform, dropRate, logger }),
  });
});
