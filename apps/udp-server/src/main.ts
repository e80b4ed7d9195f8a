import { runCli, serveOptions, serverFlags } from '@sockets/cli';
import { serve } from '@sockets/runtime';
import { createUdpServer } from '@sockets/udp';

const program = {
  name: 'udp-server',
  usage: '[flags]',
  summary: 'Answers every UDP datagram with its transform, sent back to the address and port it came from.',
};

const flags = serverFlags();

runCli(program, flags, async (values) => {
  const { transform } = values;
  await serve({
    ...serveOptions(program, values),
    protocol: 'udp',
    createService: (logger) => createUdpServer({ transform, logger }),
  });
});
