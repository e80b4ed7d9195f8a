import type { Logger } from './logger';

/** A peer-caused warning is written at most this often. */
const INTERVAL_MS = 1000;

/**
 * A warning that a peer can cause as often as it likes (a connection over a cap, a reply too
 * large, an ICMP error), written at most once a second, with `count`: how many times it happened
 * since the last line. The first is written at once; those that follow within the second are
 * counted, and one line after the second says how many, with the fields of the last. A flood
 * is then a line a second, never a line per event.
 */
export function rateLimitedWarning(logger: Logger, msg: string, level: 'warn' | 'error' = 'warn'): (fields: object) => void {
  let lastAt = -Infinity;
  let pending = 0;
  let pendingFields: object = {};
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    lastAt = performance.now();
    logger[level]({ ...pendingFields, count: pending }, msg);
    pending = 0;
  };
  return (fields) => {
    const now = performance.now();
    if (now - lastAt >= INTERVAL_MS && timer === undefined) {
      lastAt = now;
      logger[level]({ ...fields, count: 1 }, msg);
      return;
    }
    pending++;
    pendingFields = fields;
    if (timer === undefined) {
      timer = setTimeout(flush, Math.max(0, lastAt + INTERVAL_MS - now));
      // A warning still to be written must not keep a stopping process alive.
      timer.unref();
    }
  };
}
