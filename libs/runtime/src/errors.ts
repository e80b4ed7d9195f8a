/**
 * The failures of the network layer, one class each, in the manner of undici's
 * `lib/core/errors.js`: a `name` to read, a stable `code` to test against, and the error that
 * caused it, if any, as `cause`. Their messages are the one line a user sees; a program prints
 * that and exits 1 (see `runMain` in cli). Anything that is not one of these is a bug.
 */
export class SocketsError extends Error {
  override readonly name: string = 'SocketsError';
  readonly code: string = 'ERR_SOCKETS';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A server could not bind or listen: port in use, permission denied, bad address. */
export class ListenError extends SocketsError {
  override readonly name = 'ListenError';
  override readonly code = 'ERR_LISTEN';
}

/** A host name did not resolve. */
export class ResolveError extends SocketsError {
  override readonly name = 'ResolveError';
  override readonly code = 'ERR_RESOLVE';
}

/** Nothing listens at the server's address and port (TCP RST, or ICMP port unreachable for UDP). */
export class ConnectionRefusedError extends SocketsError {
  override readonly name = 'ConnectionRefusedError';
  override readonly code = 'ERR_CONNECTION_REFUSED';
}

/** A TCP connection could not be set up for another reason: no route, timed out. */
export class ConnectError extends SocketsError {
  override readonly name = 'ConnectError';
  override readonly code = 'ERR_CONNECT';
}

/** The server closed or reset the connection while replies were still owed. */
export class ConnectionClosedError extends SocketsError {
  override readonly name = 'ConnectionClosedError';
  override readonly code = 'ERR_CONNECTION_CLOSED';
}

/** TCP: a reply did not start or go on within the timeout. */
export class ReplyTimeoutError extends SocketsError {
  override readonly name = 'ReplyTimeoutError';
  override readonly code = 'ERR_REPLY_TIMEOUT';
}

/** TCP: a reply longer than any transform makes of its message, as an endless one is. */
export class ReplyTooLongError extends SocketsError {
  override readonly name = 'ReplyTooLongError';
  override readonly code = 'ERR_REPLY_TOO_LONG';
}

/** TCP: the server sent lines no message asked for. */
export class UnaskedReplyError extends SocketsError {
  override readonly name = 'UnaskedReplyError';
  override readonly code = 'ERR_UNASKED_REPLY';
}

/** UDP: every attempt went unanswered. */
export class NoReplyError extends SocketsError {
  override readonly name = 'NoReplyError';
  override readonly code = 'ERR_NO_REPLY';
}

/** UDP: a message that cannot be sent as one datagram. */
export class MessageTooLargeError extends SocketsError {
  override readonly name = 'MessageTooLargeError';
  override readonly code = 'ERR_MESSAGE_TOO_LARGE';
}

/** Workers kept dying right after being replaced: the server stops instead of spinning. */
export class WorkerCrashLoopError extends SocketsError {
  override readonly name = 'WorkerCrashLoopError';
  override readonly code = 'ERR_WORKER_CRASH_LOOP';
}
