import { resolve } from 'node:path';

/** The repository root, wherever jest was started from. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/**
 * What runs the built programs in tests: the runtime running the tests, or the one that
 * `SOCKETS_TEST_RUNTIME` names (a path to node or bun), so CI can test the same bundles on
 * each runtime users have while jest itself stays on one.
 */
export const PROGRAM_RUNTIME = process.env.SOCKETS_TEST_RUNTIME || process.execPath;

/** The built program of an app (`npx nx run-many -t build` makes it; app tests depend on build). */
export function distMain(app: string): string {
  return resolve(WORKSPACE_ROOT, 'dist/apps', app, 'main.js');
}

/** The Python 3 ports of the seed's four programs, kept as interop fixtures. */
export function textbookScript(name: 'UDPClient' | 'UDPServer' | 'TCPClient' | 'TCPServer'): string {
  return resolve(WORKSPACE_ROOT, 'tools/textbook', `${name}.py`);
}
