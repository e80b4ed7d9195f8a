import { noopLogger, type Logger } from '@sockets/logging';

export interface StopOptions {
  logger?: Logger;
  /**
   * How long `stop` may take before the process exits anyway. The contract allows 5 s from
   * the signal to the exit; the default leaves a margin.
   */
  graceMs?: number;
}

/**
 * Runs `stop` (close sockets, deliver what is owed) on the first SIGINT or SIGTERM, or when the
 * returned function is called (a cluster worker told to stop by its primary), then exits 0: a
 * stop that was asked for is a success. A second signal means the user will not wait: exit at
 * once. A stop request that is not a signal never counts as that second signal, so a worker
 * that gets both Ctrl-C from the terminal and its primary's request still drains.
 */
export function onStop(stop: () => Promise<void> | void, options: StopOptions = {}): (cause: string) => void {
  const { logger = noopLogger, graceMs = 4000 } = options;
  let stopping = false;
  let signals = 0;

  const begin = (cause: string): void => {
    if (stopping) return;
    stopping = true;
    const startedAt = performance.now();
    const why = cause.startsWith('SIG') ? { signal: cause } : { reason: cause };
    logger.info(why, 'stopping');
    const timer = setTimeout(() => {
      logger.warn({ ...why, graceMs }, 'grace period over, exiting');
      process.exit(0);
    }, graceMs);
    Promise.resolve()
      .then(stop)
      .then(
        () => {
          clearTimeout(timer);
          logger.info({ ...why, durationMs: Math.round(performance.now() - startedAt) }, 'stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          process.exit(1);
        },
      );
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (signals++ > 0 && stopping) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    begin(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return begin;
}
