import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import {
  describeListenError,
  formatAddress,
  onStopSignal,
  runCli,
  serverFlags,
  StartupError,
} from '@sockets/cli';
import { createLogger } from '@sockets/logging';
import { keepYoungGenerationSmall, ReplyEngine } from '@sockets/service';
import { createTransducer } from '@sockets/transform';
import { MAX_DATAGRAM_PAYLOAD } from '@sockets/wire-codec';

const program = {
  name: 'udp-server',
  usage: '[flags]',
  summary: 'Answers every UDP datagram with its transform, sent back to the address and port it came from.',
};

const flags = serverFlags();

runCli(program, flags, async (values) => {
  const { host, port, transform, 'log-level': level } = values;
  const logger = createLogger({ service: program.name, level });
  keepYoungGenerationSmall();

  const type = isIPv6(host) || host === '::' ? 'udp6' : 'udp4';
  const socket = createSocket({ type, ipv6Only: false });
  const engine = new ReplyEngine(createTransducer(transform), 'datagram');
  const traceText = logger.isLevelEnabled('trace');
  const debug = logger.isLevelEnabled('debug');

  // The hot path: one datagram in, one reply out, nothing logged at the default level.
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    // Before `feed`, which may write the reply over the message.
    if (traceText) logger.trace({ remoteAddress: peer.address, text: message.toString('utf8') }, 'datagram text');
    const reply = engine.feed(message) ?? Buffer.alloc(0);
    if (reply.length > MAX_DATAGRAM_PAYLOAD.udp4 && reply.length > replyLimit(peer)) {
      logger.warn(
        { remoteAddress: peer.address, remotePort: peer.port, bytesIn: message.length, bytesOut: reply.length, maxBytes: replyLimit(peer) },
        'reply too large for one datagram, not sent',
      );
      return;
    }
    socket.send(reply, peer.port, peer.address);
    if (debug) {
      logger.debug({ remoteAddress: peer.address, remotePort: peer.port, bytesIn: message.length, bytesOut: reply.length }, 'datagram answered');
    }
  });

  await bind(socket, host, port).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(`udp-server: cannot bind ${formatAddress(host, port)}: ${describeListenError(error)}`);
  });
  // Past start-up, no error of one exchange stops the server (an ICMP-driven ECONNREFUSED, say).
  socket.on('error', (error) => logger.warn({ err: error }, 'socket error'));

  // Before `server ready`: whoever waits for that line may signal at once.
  onStopSignal(() => new Promise<void>((resolve) => socket.close(() => resolve())), { logger });

  const bound = socket.address();
  logger.info({ protocol: 'udp', address: bound.address, port: bound.port, transform }, 'server ready');
});

function bind(socket: Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** An IPv4 peer of a dual-stack socket (`::ffff:a.b.c.d`) still gets at most an IPv4 datagram. */
function replyLimit(peer: RemoteInfo): number {
  const ipv6 = peer.family === 'IPv6' && !peer.address.toLowerCase().startsWith('::ffff:');
  return MAX_DATAGRAM_PAYLOAD[ipv6 ? 'udp6' : 'udp4'];
}
