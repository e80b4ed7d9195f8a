import * as errors from './errors';
import { SocketsError } from './errors';

const kinds = Object.entries(errors).filter(([name]) => name !== 'SocketsError') as Array<
  [string, new (message: string, options?: { cause?: unknown }) => SocketsError]
>;

describe('network errors', () => {
  it('give every kind its own name, equal to its class, and its own stable code', () => {
    expect(kinds.length).toBeGreaterThan(5);
    const codes = kinds.map(([, Kind]) => new Kind('x').code);
    expect(new Set(codes).size).toBe(kinds.length);
    for (const [name, Kind] of kinds) {
      const error = new Kind('what went wrong');
      expect(error).toBeInstanceOf(SocketsError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.message).toBe('what went wrong');
      expect(error.code).toMatch(/^ERR_[A-Z_]+$/);
    }
  });

  it('keep the underlying error as cause', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const error = new errors.ListenError('cannot listen', { cause });
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('ListenError: cannot listen');
  });
});
