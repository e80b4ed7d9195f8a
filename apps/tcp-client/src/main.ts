import {
  chooseInputMode,
  clientFlags,
  exitWhenStdoutCloses,
  EXIT,
  formatAddress,
  integerFlag,
  promptLines,
  readLines,
  runCli,
} from '@sockets/cli';
import { createLogger, type Logger } from '@sockets/logging';
import { connect } from './connect';
import { Session } from './session';

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

runCli(program, flags, async (values, positionals) => {
  const { host, port, 'timeout-ms': timeoutMs, 'log-level': level } = values;
  // stdout carries replies only.
  const logger = createLogger({ service: program.name, level, destination: 2 });
  exitWhenStdoutCloses();
  const open = async (): Promise<Session> => {
    const socket = await connect(host, port, timeoutMs);
    logger.debug({ address: socket.remoteAddress, port: socket.remotePort }, 'connected');
    return new Session(socket, { where: formatAddress(host, port), timeoutMs, output: process.stdout });
  };
  const mode = chooseInputMode(positionals, process.stdin);
  if (mode === 'words') await sendWords(await open(), positionals);
  else if (mode === 'piped') await sendPiped(await open(), logger);
  else await prompt(open, logger);
  return EXIT.OK;
});

/** The words are one sentence (a newline among them starts another, as it would on the wire). */
async function sendWords(session: Session, words: string[]): Promise<void> {
  try {
    for (const message of words.join(' ').split(/\r?\n/)) await session.send(Buffer.from(message, 'utf8'));
    session.end();
    await session.answered();
  } finally {
    session.close();
  }
}

/** Every line of stdin, written as it comes, replies printed as they come back. */
async function sendPiped(session: Session, logger: Logger): Promise<void> {
  const pump = async (): Promise<void> => {
    for await (const line of readLines(process.stdin)) await session.send(line);
    session.end();
    await session.answered();
  };
  const pumping = pump();
  // On a failure the race settles first; the abandoned pump then fails too, quietly.
  pumping.catch(() => undefined);
  try {
    await Promise.race([pumping, session.failed]);
    logger.debug({ sent: session.sent, received: session.received }, 'all answered');
  } finally {
    session.close();
    // A failure may come while stdin is still open; it must not keep the process waiting.
    process.stdin.destroy();
  }
}

/** One sentence at a time at a terminal, each answered before the next prompt. */
async function prompt(open: () => Promise<Session>, logger: Logger): Promise<void> {
  let session = await open();
  try {
    for await (const line of promptLines(process.stdin, process.stderr)) {
      if (!session.open) {
        // The server closed the connection while the user was typing (its idle timeout, say).
        logger.debug({ sent: session.sent, received: session.received }, 'server closed the connection, reconnecting');
        session.close();
        session = await open();
      }
      await session.send(line);
      await session.answered();
    }
    session.end();
  } finally {
    session.close();
  }
}
