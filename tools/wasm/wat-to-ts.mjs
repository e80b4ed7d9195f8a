// Builds a WebAssembly text file (.wat) into a TypeScript module that holds its binary, so the
// apps' bundles carry it with no file to find at run time: `node tools/wasm/wat-to-ts.mjs
// libs/transform/src/ascii-kernel.wat` writes libs/transform/src/ascii-kernel-wasm.ts. Run through
// `npm run wasm` after changing a .wat. With --check it writes nothing and exits 1 if a .ts is
// not what its .wat builds to: a spec runs that, so the two cannot drift apart.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import wabt from 'wabt';

/** The binary of `source`, with the features our kernels use. */
async function watToBinary(name, source) {
  const module = (await wabt()).parseWat(name, source, { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The TypeScript module for `watPath`'s binary. */
function tsModule(watPath, binary) {
  return [
    `// Generated from ${basename(watPath)} by \`npm run wasm\`. Do not edit: change the .wat and rerun.`,
    `export const WASM_BASE64 =`,
    `  '${binary.toString('base64')}';`,
    '',
  ].join('\n');
}

const args = process.argv.slice(2);
const check = args[0] === '--check';
for (const watPath of check ? args.slice(1) : args) {
  const tsPath = watPath.replace(/\.wat$/, '-wasm.ts');
  const binary = await watToBinary(basename(watPath), readFileSync(watPath, 'utf8'));
  const ts = tsModule(watPath, binary);
  if (!check) {
    writeFileSync(tsPath, ts);
    console.log(`${tsPath}: ${binary.length} bytes of WebAssembly`);
  } else if (!existsSync(tsPath) || readFileSync(tsPath, 'utf8') !== ts) {
    console.error(`${tsPath} is not what ${watPath} builds to: run \`npm run wasm\``);
    process.exitCode = 1;
  }
}
