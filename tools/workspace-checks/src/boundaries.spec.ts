import { spawnSync } from 'node:child_process';
import { WORKSPACE_ROOT } from '@sockets/testing';

interface Probe {
  /** A made-up file inside a real project, so the rule sees real tags and roots. */
  file: string;
  import: string;
}

/**
 * Lints every probe in one ESLint process (its config loader needs native ESM, as `npm test`
 * runs it) and returns, per probe, the errors of the rules that guard imports. Each probe is
 * linted with the config of the project it sits in, as `nx lint` lints that project. Nothing is
 * written to disk, so a lint or type-check running beside this test never sees a probe.
 */
function boundaryErrors(probes: Probe[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const probes = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd(), flags: ['v10_config_lookup_from_file'] });
    const rules = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports']);
    const out = [];
    for (const probe of probes) {
      const [result] = await eslint.lintText(\`import * as probe from '\${probe.import}';\\nexport const used = probe;\\n\`, { filePath: probe.file });
      out.push(result.messages.filter((m) => rules.has(m.ruleId)).map((m) => m.message));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(probes)], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (result.status !== 0) throw new Error(`eslint probe run failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[][];
}

const lib = (name: string) => `libs/${name}/src/probe.ts`;
const app = (name: string) => `apps/${name}/src/probe.ts`;

/** What the transforms and the wire codec may not import: anything that does I/O. */
const IO_MODULES = ['net', 'dgram', 'fs', 'http', 'child_process', 'cluster', 'worker_threads'];

/** Each layer to every library above it or beside it that it must not use. */
const FORBIDDEN: Array<[string, Probe]> = [
  ...['@sockets/wire-codec', '@sockets/logging', '@sockets/runtime', '@sockets/tcp', '@sockets/udp', '@sockets/cli'].map(
    (target) => [`transform -> ${target}`, { file: lib('transform'), import: target }] as [string, Probe],
  ),
  ...['@sockets/logging', '@sockets/runtime', '@sockets/tcp', '@sockets/udp', '@sockets/cli'].map(
    (target) => [`wire-codec -> ${target}`, { file: lib('wire-codec'), import: target }] as [string, Probe],
  ),
  ...['transform', 'wire-codec'].flatMap((name) =>
    IO_MODULES.flatMap((module) => [`node:${module}`, module]).map(
      (module) => [`${name} -> ${module} (no I/O)`, { file: lib(name), import: module }] as [string, Probe],
    ),
  ),
  ...['@sockets/transform', '@sockets/wire-codec', '@sockets/runtime', '@sockets/tcp', '@sockets/cli'].map(
    (target) => [`logging -> ${target}`, { file: lib('logging'), import: target }] as [string, Probe],
  ),
  ['runtime -> @sockets/cli', { file: lib('runtime'), import: '@sockets/cli' }],
  ['runtime -> @sockets/tcp (the shared runtime knows no transport)', { file: lib('runtime'), import: '@sockets/tcp' }],
  ['runtime -> @sockets/udp', { file: lib('runtime'), import: '@sockets/udp' }],
  ['tcp -> @sockets/cli', { file: lib('tcp'), import: '@sockets/cli' }],
  ['udp -> @sockets/cli', { file: lib('udp'), import: '@sockets/cli' }],
  ['tcp -> @sockets/udp', { file: lib('tcp'), import: '@sockets/udp' }],
  ['udp -> @sockets/tcp', { file: lib('udp'), import: '@sockets/tcp' }],
  ['cli -> @sockets/tcp', { file: lib('cli'), import: '@sockets/tcp' }],
  ['cli -> @sockets/udp', { file: lib('cli'), import: '@sockets/udp' }],
  ['a library -> an app', { file: lib('runtime'), import: '../../../apps/udp-server/src/main' }],
  ['testing -> @sockets/transform (test support stands apart from what it tests)', { file: lib('testing'), import: '@sockets/transform' }],
  ['testing -> @sockets/wire-codec', { file: lib('testing'), import: '@sockets/wire-codec' }],
  ...['transform', 'wire-codec', 'logging', 'runtime', 'tcp', 'udp', 'cli'].map(
    (name) => [`production code of ${name} -> @sockets/testing`, { file: lib(name), import: '@sockets/testing' }] as [string, Probe],
  ),
  ['production code of an app -> @sockets/testing', { file: app('udp-server'), import: '@sockets/testing' }],
  ['an app -> another app', { file: app('udp-server'), import: '../../udp-client/src/main' }],
  ['a UDP app -> a TCP app', { file: app('udp-server'), import: '../../tcp-server/src/main' }],
  ['a TCP app -> a UDP app', { file: app('tcp-client'), import: '../../udp-client/src/main' }],
  ['a UDP app -> the TCP library', { file: app('udp-server'), import: '@sockets/tcp' }],
  ['a TCP app -> the UDP library', { file: app('tcp-client'), import: '@sockets/udp' }],
];

const ALLOWED: Array<[string, Probe]> = [
  ['an app -> cli', { file: app('tcp-server'), import: '@sockets/cli' }],
  ['an app -> its transport', { file: app('udp-client'), import: '@sockets/udp' }],
  ['tcp -> runtime', { file: lib('tcp'), import: '@sockets/runtime' }],
  ['udp -> wire-codec', { file: lib('udp'), import: '@sockets/wire-codec' }],
  ['wire-codec -> transform', { file: lib('wire-codec'), import: '@sockets/transform' }],
  ['runtime -> wire-codec', { file: lib('runtime'), import: '@sockets/wire-codec' }],
  ['runtime -> logging', { file: lib('runtime'), import: '@sockets/logging' }],
  ['cli -> transform', { file: lib('cli'), import: '@sockets/transform' }],
  ['cli -> runtime', { file: lib('cli'), import: '@sockets/runtime' }],
  ['runtime -> node:net (I/O belongs here)', { file: lib('runtime'), import: 'node:net' }],
  ['transform -> node:buffer (not I/O)', { file: lib('transform'), import: 'node:buffer' }],
  ['a transform spec file -> node:child_process (a spec may run a tool)', { file: 'libs/transform/src/probe.spec.ts', import: 'node:child_process' }],
  ['a spec file -> testing', { file: 'libs/wire-codec/src/probe.spec.ts', import: '@sockets/testing' }],
  ['an app spec file -> testing', { file: 'apps/tcp-server/src/probe.spec.ts', import: '@sockets/testing' }],
  ['a tool -> testing', { file: 'tools/bench/src/probe.ts', import: '@sockets/testing' }],
];

describe('module boundaries', () => {
  const errors = boundaryErrors([...FORBIDDEN, ...ALLOWED].map(([, probe]) => probe));

  it.each(FORBIDDEN.map(([name], i) => [name, i] as const))('forbid %s', (_name, i) => {
    expect(errors[i].length).toBeGreaterThan(0);
  });

  it.each(ALLOWED.map(([name], i) => [name, FORBIDDEN.length + i] as const))('allow %s', (_name, i) => {
    expect(errors[i]).toEqual([]);
  });
});
