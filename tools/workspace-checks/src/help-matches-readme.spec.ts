import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT, distMain } from '@sockets/testing';

const APPS = ['udp-server', 'udp-client', 'tcp-server', 'tcp-client'];

/** Flags per program, from the README's flag table (`all` expands to every program). */
function readmeFlags(): Map<string, Set<string>> {
  const readme = readFileSync(resolve(WORKSPACE_ROOT, 'README.md'), 'utf8');
  const flags = new Map(APPS.map((app) => [app, new Set<string>()]));
  for (const row of readme.split('\n').filter((line) => line.startsWith('| `--'))) {
    const [flagCell, programsCell] = row.split('|').slice(1, 3);
    const flag = /`(--[a-z-]+)/.exec(flagCell)?.[1] as string;
    const programs = programsCell.trim() === 'all' ? APPS : programsCell.split(',').map((p) => p.trim());
    for (const program of programs) flags.get(program)?.add(flag);
  }
  return flags;
}

function helpFlags(app: string): { text: string; flags: Set<string> } {
  const text = execFileSync(process.execPath, [distMain(app), '--help'], { encoding: 'utf8' });
  return { text, flags: new Set([...text.matchAll(/^\s+(?:-[a-zA-Z], )?(--[a-z-]+)/gm)].map((m) => m[1])) };
}

describe('--help and the README', () => {
  const fromReadme = readmeFlags();

  it.each(APPS)('%s: --help lists exactly the flags the README gives it', (app) => {
    const { text, flags } = helpFlags(app);
    expect(text).toContain(`Usage: ${app}`);
    expect([...flags].sort()).toEqual([...(fromReadme.get(app) ?? [])].sort());
  });
});
