import { resolve } from 'node:path';

/** The repository root, wherever jest was started from. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/** The built program of an app (`npx nx run-many -t build` makes it; app tests depend on build). */
export function distMain(app: string): string {
  return resolve(WORKSPACE_ROOT, 'dist/apps', app, 'main.js');
}

/** The Python 3 ports of the seed's four programs, kept as interop fixtures. */
export function textbookScript(name: 'UDPClient' | 'UDPServer' | 'TCPClient' | 'TCPServer'): string {
  return resolve(WORKSPACE_ROOT, 'tools/textbook', `${name}.py`);
}
