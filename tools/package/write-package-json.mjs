// Makes dist/apps/<app>/ a package an operator can ship alone: esbuild has bundled the program
// and every library it uses into main.js, so the package needs nothing but node. Name, version
// and engines come from the workspace's one package.json, so the version a program prints
// with --version and the one its package carries are the same.
// Usage: node tools/package/write-package-json.mjs <app>
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const app = process.argv[2];
const summaries = {
  'udp-server': 'Answers every UDP datagram with its transform (uppercase or count the letter s).',
  'tcp-server': 'Answers every line on every TCP connection with its transform (uppercase or count the letter s).',
  'udp-client': 'Sends sentences to a udp-server and prints the replies, retransmitting on loss.',
  'tcp-client': 'Sends sentences to a tcp-server over one connection and prints the replies.',
};
if (!(app in summaries)) {
  process.stderr.write(`write-package-json: expected one of ${Object.keys(summaries).join(', ')}, got ${JSON.stringify(app)}\n`);
  process.exit(2);
}
const workspace = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
const manifest = {
  name: `${workspace.name}-${app}`,
  version: workspace.version,
  description: summaries[app],
  license: workspace.license,
  type: 'commonjs',
  main: 'main.js',
  bin: { [app]: 'main.js' },
  files: ['main.js', 'main.js.map'],
  engines: workspace.engines,
};
writeFileSync(resolve(root, 'dist/apps', app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
