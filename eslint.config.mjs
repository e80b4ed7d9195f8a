import nx from '@nx/eslint-plugin';

// Layers, lowest first. Each project's tags (in its project.json) name its layer and its
// transport; a project may import only the layers below its own, which lint checks on every
// import. tools/workspace-checks lints a probe import across each line and expects the error.
//
//   transform  upper and count-s: pure, no I/O                          (libs/transform)
//   codec      framing, reply encoder, reply engine: pure, no I/O       (libs/wire-codec)
//   logging    the pino logger                                           (libs/logging)
//   runtime    the network: listen, connect, timeouts, errors, stop      (libs/runtime, libs/tcp, libs/udp)
//   cli        flags, help, exit codes                                   (libs/cli)
//   app        the four programs                                         (apps/*)
//
// Test support (libs/testing) sits outside the chain: spec files and tools may import it,
// production code may not. `scope:udp` and `scope:tcp` keep the transports apart.
const BELOW_RUNTIME = ['layer:logging', 'layer:codec', 'layer:transform'];
const PRODUCTION = [
  { sourceTag: 'layer:transform', onlyDependOnLibsWithTags: ['layer:transform'] },
  { sourceTag: 'layer:codec', onlyDependOnLibsWithTags: ['layer:codec', 'layer:transform'] },
  { sourceTag: 'layer:logging', onlyDependOnLibsWithTags: ['layer:logging'] },
  { sourceTag: 'layer:runtime', onlyDependOnLibsWithTags: ['layer:runtime', ...BELOW_RUNTIME] },
  { sourceTag: 'layer:cli', onlyDependOnLibsWithTags: ['layer:runtime', ...BELOW_RUNTIME] },
  { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:cli', 'layer:runtime', ...BELOW_RUNTIME] },
  { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['layer:testing'] },
  {
    sourceTag: 'layer:tool',
    onlyDependOnLibsWithTags: ['layer:testing', 'layer:cli', 'layer:runtime', ...BELOW_RUNTIME],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:udp', onlyDependOnLibsWithTags: ['scope:udp', 'scope:shared'] },
  { sourceTag: 'scope:tcp', onlyDependOnLibsWithTags: ['scope:tcp', 'scope:shared'] },
];

/**
 * What the transforms and the wire codec may not import: anything that reaches a socket, a
 * file, a process or a thread. They are functions of the bytes they are given, which is what
 * lets them be tested without a network and used by any transport.
 */
const IO_MODULES = ['net', 'dgram', 'fs', 'fs/promises', 'http', 'https', 'http2', 'child_process', 'cluster', 'worker_threads', 'tls', 'dns', 'dns/promises'];
/** Their own eslint.config.mjs adds this. Production code only: a spec may run a tool. */
export const NO_IO = {
  files: ['**/*.ts'],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: IO_MODULES.flatMap((name) => [name, `node:${name}`]).map((name) => ({
          name,
          message: 'the transforms and the wire codec do no I/O: do it in libs/runtime, libs/tcp or libs/udp',
        })),
      },
    ],
  },
};

/** The same chain, where a spec file may also use the test support. */
const SPECS = PRODUCTION.map((rule) =>
  rule.sourceTag.startsWith('layer:')
    ? { ...rule, onlyDependOnLibsWithTags: [...new Set([...rule.onlyDependOnLibsWithTags, 'layer:testing'])] }
    : rule,
);

// The one exception: cli reads the workspace's version from the root package.json.
const boundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: true, banTransitiveDependencies: true, allow: ['../../../package.json'], depConstraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '**/.nx'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs', '**/*.cts'],
    // A project's own eslint config extends the root one by path; that is not a code import.
    ignores: ['**/eslint.config.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(PRODUCTION),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(SPECS) },
  },

  {
    files: ['**/*.cts', '**/*.cjs', 'jest.preset.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
