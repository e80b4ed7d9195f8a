/**
 * Draws every diagram of docs/COMPARE.md anew, from real runs of the built programs on loopback,
 * and writes them into the page between their markers:
 *
 *   npx nx run compare:run
 *
 * compare.spec.ts runs the same exchanges and fails when the page no longer shows what the
 * programs draw.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@sockets/cli';
import { WORKSPACE_ROOT } from '@sockets/testing';
import { draw, SCENARIOS, withDiagrams } from './diagrams';

const PAGE = join(WORKSPACE_ROOT, 'docs/COMPARE.md');

runCli({ name: 'compare', usage: '', summary: 'Draws the diagrams of docs/COMPARE.md anew from real runs of the built programs.' }, {}, async () => {
  const diagrams = new Map<string, string>();
  for (const scenario of SCENARIOS) {
    diagrams.set(scenario.name, await draw(scenario));
    process.stderr.write(`compare: drew ${scenario.name}\n`);
  }
  writeFileSync(PAGE, withDiagrams(readFileSync(PAGE, 'utf8'), diagrams));
  process.stderr.write(`compare: wrote ${diagrams.size} diagrams into docs/COMPARE.md\n`);
});
