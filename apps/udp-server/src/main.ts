import { runCli, serverFlags } from '@sockets/cli';
import { createLogger } from '@sockets/logging';
import { serve } from '@sockets/runtime';
import { createUdpServer } from '@sockets/udp';

const program = {
  name: 'udp-server',
  usage: '[flags]',
  summary: 'Answers every UDP datagram with its transform, sent back to the address and port it came from.',
};

const flags = serverFlags();

runCli(program, flags, async (values) => {
  const { host, port, transform, workers, 'metrics-port': metricsPort, 'log-level': level, 'log-format': format } = values;
  const logger = createLogger({ service: program.name, level, format });
  await serve({
    program: program.name,
    protocol: 'udp',
    host,
    port,
    transform,
    workers,
    metricsPort,
    logger,
    createService: (serviceLogger) => createUdpServer({ transform, logger: serviceLogger }),
  });
});
