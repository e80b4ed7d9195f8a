import { ESLint } from 'eslint';
import { WORKSPACE_ROOT } from '@sockets/testing';

// Lints made-up files placed inside real projects, so the rule sees real tags and roots.
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: WORKSPACE_ROOT });
  const [result] = await eslint.lintText(code, { filePath: `${WORKSPACE_ROOT}/${filePath}` });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
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
