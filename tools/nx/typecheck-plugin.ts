import { dirname } from 'node:path';
import type { CreateNodes } from '@nx/devkit';

/**
 * Infers a `typecheck` target for every project with a tsconfig.json, as @nx/jest/plugin and
 * @nx/eslint/plugin infer `test` and `lint`. @nx/js/typescript would, but it type-checks with
 * `tsc --build`, which needs the project references of Nx's "TS solution" layout; this
 * workspace resolves its libraries through the path aliases of tsconfig.base.json instead.
 */
export const createNodes: CreateNodes = [
  '{apps,libs,tools,deploy}/**/tsconfig.json',
  (files) =>
    files.map((file) => {
      const root = dirname(file);
      return [
        file,
        {
          projects: {
            [root]: {
              targets: {
                typecheck: {
                  command: `tsc --noEmit -p ${file}`,
                  cache: true,
                  inputs: ['default', '^default', { externalDependencies: ['typescript'] }],
                  metadata: { description: 'Type-checks the project with tsc (no output)' },
                },
              },
            },
          },
        },
      ] as const;
    }),
];
