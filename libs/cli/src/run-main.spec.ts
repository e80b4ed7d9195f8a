import { UsageError } from './errors';
import { EXIT } from './exit-codes';
import { runMain } from './run-main';

describe('runMain', () => {
  async function outcome(main: () => Promise<number | void>): Promise<{ exitCode: unknown; stderr: string }> {
    const saved = process.exitCode;
    const stderr: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      runMain('prog', main);
      await new Promise((resolve) => setImmediate(resolve));
      return { exitCode: process.exitCode, stderr: stderr.join('') };
    } finally {
      write.mockRestore();
      process.exitCode = saved;
    }
  }

  it('sets the exit code main returns, 0 by default', async () => {
    expect(await outcome(async () => 3)).toEqual({ exitCode: 3, stderr: '' });
    expect(await outcome(async () => undefined)).toEqual({ exitCode: 0, stderr: '' });
  });

  it('prints a known failure as its one line, without a stack', async () => {
    expect(await outcome(async () => Promise.reject(new UsageError('prog: --port: bad')))).toEqual({
      exitCode: EXIT.USAGE,
      stderr: 'prog: --port: bad\n',
    });
  });

  it('keeps the stack of anything else, a bug', async () => {
    const result = await outcome(async () => Promise.reject(new TypeError('boom')));
    expect(result.exitCode).toBe(EXIT.FAILURE);
    expect(result.stderr).toMatch(/^prog: internal error: TypeError: boom\n\s+at /);
  });
});
