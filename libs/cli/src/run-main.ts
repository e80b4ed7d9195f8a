import { CliError } from './errors';
import { EXIT } from './exit-codes';

/**
 * Runs a program's main and turns its outcome into an exit code. Known failures print their
 * one line; anything else is a bug and keeps its stack. `process.exitCode` rather than
 * `process.exit()` lets stdout drain first: a piped client's last replies are not cut off.
 */
export function runMain(program: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? EXIT.OK;
    },
    (error: unknown) => {
      if (error instanceof CliError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`${program}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
        process.exitCode = EXIT.FAILURE;
      }
    },
  );
}
