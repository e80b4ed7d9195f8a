import { spawnSync } from 'node:child_process';
import { WORKSPACE_ROOT } from '@sockets/testing';

/**
 * Lints a made-up file placed inside a real project, so the rule sees real tags and roots.
 * ESLint runs as its own process, as `npm test` runs it: its config loader needs native ESM.
 */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const result = spawnSync(
    process.execPath,
    [`${WORKSPACE_ROOT}/node_modules/eslint/bin/eslint.js`, '--format', 'json', '--stdin', '--stdin-filename', filePath],
    { cwd: WORKSPACE_ROOT, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  const [report] = JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return report.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  it('let an app import a library', async () => {
    const errors = await boundaryErrors(
      'apps/udp-server/src/probe.ts',
      "import { createTransducer } from '@sockets/transform';\nexport const t = createTransducer('upper');\n",
    );
    expect(errors).toEqual([]);
  });

  it('forbid a library importing an app', async () => {
    const errors = await boundaryErrors(
      'libs/transform/src/probe.ts',
      "import '../../../apps/udp-server/src/main';\nexport const x = 1;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('forbid a UDP app importing a TCP app', async () => {
    const errors = await boundaryErrors(
      'apps/udp-server/src/probe.ts',
      "import '../../tcp-server/src/main';\nexport const x = 1;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('forbid a TCP app importing a UDP app', async () => {
    const errors = await boundaryErrors(
      'apps/tcp-client/src/probe.ts',
      "import '../../udp-client/src/main';\nexport const x = 1;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });
});
