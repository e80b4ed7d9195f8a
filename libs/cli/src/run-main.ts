import { SocketsError } from '@sockets/runtime';
import { UsageError } from './errors';
import { EXIT } from './exit-codes';

/**
 * Runs a program's main and turns its outcome into an exit code: a usage error exits 2 and a
 * network failure 1, each told in its one line; anything else is a bug and keeps its stack.
 * `process.exitCode` rather than `process.exit()` lets stdout drain first: a piped client's
 * last replies are not cut off.
 */
export function runMain(program: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? EXIT.OK;
    },
    (error: unknown) => {
      if (error instanceof UsageError || error instanceof SocketsError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = error instanceof UsageError ? EXIT.USAGE : EXIT.FAILURE;
      } else {
        process.stderr.write(`${program}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
        process.exitCode = EXIT.FAILURE;
      }
    },
  );
}

/**
 * A client's reader that went away (`client < lines | head -1`) wants no more replies: that is
 * no failure, so the client stops with 0 instead of dying on EPIPE. Any other stdout error is.
 */
export function exitWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' ? EXIT.OK : EXIT.FAILURE);
  });
}
