import { noopLogger } from './logger';

describe('noopLogger', () => {
  it('accepts every call and does nothing', () => {
    const write = jest.spyOn(process.stdout, 'write');
    try {
      for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
        expect(noopLogger[level]({ a: 1 }, 'message')).toBeUndefined();
      }
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it('has itself as child and no level enabled', () => {
    expect(noopLogger.child({ peer: 'x' })).toBe(noopLogger);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) expect(noopLogger.isLevelEnabled(level)).toBe(false);
  });
});
