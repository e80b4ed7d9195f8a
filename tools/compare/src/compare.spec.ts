import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@sockets/testing';
import { comparable, diagramsOf, draw, SCENARIOS } from './diagrams';

// docs/COMPARE.md shows diagrams the programs drew; this runs the same exchanges again and
// fails when the page has drifted from what they draw now (`npx nx run compare:run` redraws it).
jest.setTimeout(60_000);

describe('docs/COMPARE.md', () => {
  const page = readFileSync(join(WORKSPACE_ROOT, 'docs/COMPARE.md'), 'utf8');
  const shown = diagramsOf(page);

  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('shows %s as the programs draw it', async (_name, scenario) => {
    expect(comparable(shown.get(scenario.name) ?? '')).toEqual(comparable(await draw(scenario)));
  });
});
