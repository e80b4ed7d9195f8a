import * as errors from './errors';
import { CliError } from './errors';
import { EXIT } from './exit-codes';

const kinds = Object.entries(errors).filter(([name]) => name !== 'CliError') as Array<[string, new (message: string) => CliError]>;

describe('CLI errors', () => {
  it('give every kind its own stable code; usage errors exit 2, the others 1', () => {
    const codes = kinds.map(([, Kind]) => new Kind('x').code);
    expect(new Set(codes).size).toBe(kinds.length);
    for (const [name, Kind] of kinds) {
      const error = new Kind('what went wrong');
      expect(error).toBeInstanceOf(CliError);
      expect(error.message).toBe('what went wrong');
      expect(error.code).toMatch(/^ERR_[A-Z_]+$/);
      expect(error.exitCode).toBe(name === 'UsageError' ? EXIT.USAGE : EXIT.FAILURE);
    }
  });
});
