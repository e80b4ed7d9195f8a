import { EXIT } from './exit-codes';

/**
 * A client's reader that went away (`client < lines | head -1`) wants no more replies: that is
 * no failure, so the client stops with 0 instead of dying on EPIPE. Any other stdout error is.
 */
export function exitWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' ? EXIT.OK : EXIT.FAILURE);
  });
}
