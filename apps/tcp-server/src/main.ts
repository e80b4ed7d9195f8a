import { integerFlag, runCli, serveOptions, serverFlags } from '@sockets/cli';
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
  'max-per-address': integerFlag({
    description: 'connections served at once from one client address (per worker); 0 for no limit',
    default: 0,
    min: 0,
    max: 1_000_000,
  }),
  'slow-line-ms': integerFlag({
    description: 'a line unfinished after this many ms must keep arriving at --min-line-rate',
    default: 10_000,
    min: 1,
    max: 2_147_483_647,
  }),
  'min-line-rate': integerFlag({
    description: 'bytes a second a line in progress must average after --slow-line-ms, or the connection is closed; 0 for no limit',
    default: 64,
    min: 0,
    max: 1_000_000_000,
  }),
};

runCli(program, flags, async (values) => {
  const { transform, 'flush-ms': flushMs, 'idle-timeout-ms': idleTimeoutMs, 'max-connections': maxConnections } = values;
  const { 'max-per-address': maxPerAddress, 'slow-line-ms': slowLineMs, 'min-line-rate': minLineRate } = values;
  const settings = { flushMs, idleTimeoutMs, maxConnections, maxPerAddress, slowLineMs, minLineRate };
  await serve({
    ...serveOptions(program, values),
    protocol: 'tcp',
    settings,
    createService: (logger) => createTcpServer({ transform, ...settings, logger }),
  });
});
