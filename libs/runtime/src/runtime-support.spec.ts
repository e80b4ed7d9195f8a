import { RUNTIME, runtimeSupport, workersUnsupported } from './runtime-support';

describe('runtimeSupport', () => {
  it.each([
    // [versions, platform, name, reusePort, clusterSharesSockets]
    [{ node: '20.20.2' }, 'linux', 'node 20.20.2', false, true],
    [{ node: '22.11.0' }, 'linux', 'node 22.11.0', false, true],
    [{ node: '22.12.0' }, 'linux', 'node 22.12.0', true, true],
    [{ node: '23.1.0' }, 'linux', 'node 23.1.0', true, true],
    [{ node: '26.12.1' }, 'linux', 'node 26.12.1', true, true],
    [{ node: '26.12.1' }, 'darwin', 'node 26.12.1', false, true],
    [{ node: '26.3.0', bun: '1.4.5' }, 'linux', 'bun 1.4.5', true, false],
    [{ node: '26.3.0', bun: '1.4.5' }, 'darwin', 'bun 1.4.5', false, false],
  ] as const)('%j on %s is %s, reusePort %s, cluster sharing %s', (versions, platform, name, reusePort, clusterSharesSockets) => {
    expect(runtimeSupport(versions, platform)).toEqual({ name, reusePort, clusterSharesSockets });
  });

  it('lets workers run wherever the port can be shared, and says why not where it cannot', () => {
    expect(workersUnsupported(runtimeSupport({ node: '20.20.2' }, 'darwin'))).toBeUndefined();
    expect(workersUnsupported(runtimeSupport({ node: '26.3.0', bun: '1.4.5' }, 'linux'))).toBeUndefined();
    expect(workersUnsupported(runtimeSupport({ node: '26.3.0', bun: '1.4.5' }, 'win32'))).toBe(
      'bun 1.4.5 shares a port between processes only with SO_REUSEPORT, which it offers on Linux alone',
    );
  });

  it('describes the runtime this test runs on', () => {
    expect(RUNTIME.name).toBe(process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.versions.node}`);
  });
});
