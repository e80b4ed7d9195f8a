import { rateLimitedWarning } from './rate-limited';
import type { Logger } from './logger';

function recording(): { logger: Logger; lines: Array<{ level: string; fields: Record<string, unknown>; msg?: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg?: string }> = [];
  const at = (level: string) => (fields: object, msg?: string) => lines.push({ level, fields: fields as Record<string, unknown>, msg });
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
    isLevelEnabled: () => true,
  };
  return { logger, lines };
}

describe('rateLimitedWarning', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick'] }));
  afterEach(() => jest.useRealTimers());

  it('writes the first at once, then one line a second with the count of those it held back', () => {
    const { logger, lines } = recording();
    const warn = rateLimitedWarning(logger, 'reply too large');
    for (let i = 1; i <= 500; i++) warn({ bytes: i });
    expect(lines).toEqual([{ level: 'warn', fields: { bytes: 1, count: 1 }, msg: 'reply too large' }]);
    jest.advanceTimersByTime(1000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({ level: 'warn', fields: { bytes: 500, count: 499 }, msg: 'reply too large' });
    // A second flood within the next second: held back again, one line after it.
    for (let i = 0; i < 10; i++) warn({ bytes: 7 });
    jest.advanceTimersByTime(999);
    expect(lines).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(lines[2].fields).toEqual({ bytes: 7, count: 10 });
    // Quiet for a while: the next one is written at once.
    jest.advanceTimersByTime(5000);
    warn({ bytes: 1 });
    expect(lines).toHaveLength(4);
    expect(lines[3].fields).toEqual({ bytes: 1, count: 1 });
  });

  it('writes at the level asked', () => {
    const { logger, lines } = recording();
    rateLimitedWarning(logger, 'server error', 'error')({});
    expect(lines[0].level).toBe('error');
  });
});
