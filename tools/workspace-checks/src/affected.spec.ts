import { execFileSync } from 'node:child_process';
import { WORKSPACE_ROOT } from '@sockets/testing';

function nx(...args: string[]): string[] {
  const out = execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
    encoding: 'utf8',
  });
  return out.split('\n').map((line) => line.trim()).filter(Boolean);
}

describe('the project graph', () => {
  it('lists the four apps and the libraries of each layer', () => {
    const projects = nx('show', 'projects');
    for (const name of ['udp-server', 'udp-client', 'tcp-server', 'tcp-client', 'transform', 'wire-codec', 'logging', 'runtime', 'tcp', 'udp', 'cli', 'testing']) {
      expect(projects).toContain(name);
    }
  });

  it('marks only udp-server affected by a change to its main', () => {
    const affected = nx('show', 'projects', '--affected', '--files=apps/udp-server/src/main.ts');
    expect(affected).toContain('udp-server');
    expect(affected).not.toContain('tcp-server');
    expect(affected).not.toContain('tcp-client');
    expect(affected).not.toContain('udp-client');
  });

  it('marks only tcp-server affected by a change to its main', () => {
    const affected = nx('show', 'projects', '--affected', '--files=apps/tcp-server/src/main.ts');
    expect(affected).toContain('tcp-server');
    expect(affected).not.toContain('udp-server');
    expect(affected).not.toContain('udp-client');
  });

  it('marks every app, and the wire codec, affected by a change to the transform library', () => {
    const affected = nx('show', 'projects', '--affected', '--files=libs/transform/src/upper.ts');
    for (const app of ['udp-server', 'udp-client', 'tcp-server', 'tcp-client', 'wire-codec']) expect(affected).toContain(app);
  });

  it('marks every app, and not the transforms, affected by a change to the wire codec', () => {
    const affected = nx('show', 'projects', '--affected', '--files=libs/wire-codec/src/line-decoder.ts');
    for (const app of ['udp-server', 'udp-client', 'tcp-server', 'tcp-client']) expect(affected).toContain(app);
    expect(affected).not.toContain('transform');
  });

  it('marks only the TCP programs affected by a change to the TCP data path', () => {
    const affected = nx('show', 'projects', '--affected', '--files=libs/tcp/src/tcp-server.ts');
    expect(affected).toEqual(expect.arrayContaining(['tcp', 'tcp-server', 'tcp-client']));
    for (const other of ['udp', 'udp-server', 'udp-client', 'transform', 'wire-codec', 'runtime', 'cli']) expect(affected).not.toContain(other);
  });
});
