import { EXIT } from './exit-codes';

/**
 * A failure the user is told about in one line, without a stack trace. Each kind has its own
 * class and a stable `code`, so tests and callers tell them apart without parsing messages.
 */
export abstract class CliError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
}

export class UsageError extends CliError {
  readonly code = 'ERR_USAGE';
  readonly exitCode = EXIT.USAGE;
}

/** The server could not bind: port in use, permission denied, bad address. */
export class StartupError extends CliError {
  readonly code = 'ERR_STARTUP';
  readonly exitCode = EXIT.FAILURE;
}

export class ConnectError extends CliError {
  readonly code = 'ERR_CONNECT';
  readonly exitCode = EXIT.FAILURE;
}

export class ConnectionClosedError extends CliError {
  readonly code = 'ERR_CONNECTION_CLOSED';
  readonly exitCode = EXIT.FAILURE;
}

export class ReplyTimeoutError extends CliError {
  readonly code = 'ERR_REPLY_TIMEOUT';
  readonly exitCode = EXIT.FAILURE;
}

/** UDP: every attempt went unanswered. */
export class NoReplyError extends CliError {
  readonly code = 'ERR_NO_REPLY';
  readonly exitCode = EXIT.FAILURE;
}

/** A message that cannot be sent as one datagram. */
export class MessageTooLargeError extends CliError {
  readonly code = 'ERR_MESSAGE_TOO_LARGE';
  readonly exitCode = EXIT.FAILURE;
}
