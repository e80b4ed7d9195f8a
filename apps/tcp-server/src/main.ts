import { createServer, type Server } from 'node:net';
import {
  describeListenError,
  formatAddress,
  integerFlag,
  onStopSignal,
  runCli,
  serverFlags,
  StartupError,
} from '@sockets/cli';
import { createLogger, type Logger } from '@sockets/logging';
import { keepYoungGenerationSmall, SpentBufferCollector } from '@sockets/service';
import { Connection } from './connection';

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
    description: 'connections served at once; one over the cap is closed at once',
    default: 1024,
    min: 1,
    max: 1_000_000,
  }),
};

/** How long a graceful stop waits for peers to take their last replies before cutting them off. */
const DRAIN_MS = 3000;
/** Connections dropped over the cap are reported at most this often, with a count. */
const DROP_WARN_INTERVAL_MS = 1000;

runCli(program, flags, async (values) => {
  const { host, port, transform, 'log-level': level } = values;
  const { 'flush-ms': flushMs, 'idle-timeout-ms': idleTimeoutMs, 'max-connections': maxConnections } = values;
  const logger = createLogger({ service: program.name, level });
  keepYoungGenerationSmall();

  // allowHalfOpen: a peer's FIN ends its input only; replies still owed go out before ours.
  const server = createServer({ allowHalfOpen: true, noDelay: true });
  server.maxConnections = maxConnections;
  const connections = new Set<Connection>();
  const spentBuffers = new SpentBufferCollector();
  server.on('connection', (socket) => {
    const connection = new Connection(socket, { transform, flushMs, idleTimeoutMs, logger, spentBuffers });
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
  });
  warnOnDrops(server, logger, maxConnections);

  await listen(server, host, port).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(`tcp-server: cannot listen on ${formatAddress(host, port)}: ${describeListenError(error)}`);
  });
  // Past start-up, a failed accept (EMFILE, say) costs one connection, not the server.
  server.on('error', (error) => logger.error({ err: error }, 'server error'));

  // Before `server ready`: whoever waits for that line may signal at once.
  onStopSignal(() => stop(server, connections), { logger });

  const bound = server.address();
  if (bound && typeof bound === 'object') {
    logger.info(
      { protocol: 'tcp', address: bound.address, port: bound.port, transform, flushMs, idleTimeoutMs, maxConnections },
      'server ready',
    );
  }
});

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true, ipv6Only: false }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stop accepting, let every connection answer what it has read, cut off whoever lingers. */
async function stop(server: Server, connections: Set<Connection>): Promise<void> {
  const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const connection of connections) connection.stop();
  const timer = setTimeout(() => {
    for (const connection of connections) connection.destroy('server stopping');
  }, DRAIN_MS);
  // Each connection's own close, not the server's: the server reports closed before the
  // sockets' close events run, and those write the per-connection log lines.
  await Promise.all([listenerClosed, ...[...connections].map((connection) => connection.closed)]);
  clearTimeout(timer);
}

/** Node closes connections over `maxConnections` itself; say so, without a line per drop in a flood. */
function warnOnDrops(server: Server, logger: Logger, maxConnections: number): void {
  let lastWarnAt = -Infinity;
  let dropped = 0;
  server.on('drop', (data) => {
    dropped++;
    const now = performance.now();
    if (now - lastWarnAt < DROP_WARN_INTERVAL_MS) return;
    lastWarnAt = now;
    logger.warn(
      { remoteAddress: data?.remoteAddress, remotePort: data?.remotePort, maxConnections, dropped },
      'connection over the cap closed',
    );
    dropped = 0;
  });
}
