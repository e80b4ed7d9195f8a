import { noopLogger, type Logger } from '@sockets/logging';
import { EXIT } from './exit-codes';

export interface StopOptions {
  logger?: Logger;
  /**
   * How long `stop` may take before the process exits anyway. The contract allows 5 s from
   * the signal to the exit; the default leaves a margin.
   */
  graceMs?: number;
}

/**
 * On the first SIGINT or SIGTERM runs `stop` (close sockets, deliver what is owed), then
 * exits 0. A second signal means the user will not wait: exit at once.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void> | void, options: StopOptions = {}): void {
  const { logger = noopLogger, graceMs = 4000 } = options;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(EXIT.FAILURE);
    }
    stopping = true;
    const startedAt = performance.now();
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.warn({ signal, graceMs }, 'grace period over, exiting');
      process.exit(EXIT.OK);
    }, graceMs);
    Promise.resolve()
      .then(() => stop(signal))
      .then(
        () => {
          clearTimeout(timer);
          logger.info({ signal, durationMs: Math.round(performance.now() - startedAt) }, 'stopped');
          process.exit(EXIT.OK);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          process.exit(EXIT.FAILURE);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
