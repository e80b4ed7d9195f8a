import { EXIT } from './exit-codes';

/**
 * The command line or the environment asked for something the program does not accept. Like
 * the network's errors (`SocketsError` in runtime), it has a `name`, a stable `code`, and a
 * message that is the one line a user sees.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_USAGE';
  readonly exitCode = EXIT.USAGE;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
