import { integerFlag, runCli, serverFlags } from '@sockets/cli';
import { createLogger } from '@sockets/logging';
import { serve } from '@sockets/runtime';
import { createTcpServer } from '@sockets/tcp';

const program = {
  name: 'tcp-server',
  usage: '[flags]',
  summary:
    'Answers every line on every TCP connection with its transform, in order, ending each reply the way its message ended (LF, CRLF or none).',
};

const flags = {
  ...serverFlags(),
  'flush-ms': integerFlag({
    description: 'a message without a newline is answered after this many ms with no further byte',
    default: 30,
    min: 1,
    max: 60_000,
  }),
  'idle-timeout-ms': integerFlag({
    description: 'a connection with no traffic either way for this many ms is closed; 0 never closes it',
    default: 60_000,
    min: 0,
    max: 2_147_483_647,
  }),
  'max-connections': integerFlag({
    description: 'connections served at once (per worker); one over the cap is closed at once',
    default: 1024,
    min: 1,
    max: 1_000_000,
  }),
};

runCli(program, flags, async (values) => {
  const { host, port, transform, workers, 'metrics-port': metricsPort, 'log-level': level, 'log-format': format } = values;
  const { 'flush-ms': flushMs, 'idle-timeout-ms': idleTimeoutMs, 'max-connections': maxConnections } = values;
  const logger = createLogger({ service: program.name, level, format });
  await serve({
    program: program.name,
    protocol: 'tcp',
    host,
    port,
    transform,
    workers,
    metricsPort,
    logger,
    settings: { flushMs, idleTimeoutMs, maxConnections },
    createService: (serviceLogger) => createTcpServer({ transform, flushMs, idleTimeoutMs, maxConnections, logger: serviceLogger }),
  });
});
