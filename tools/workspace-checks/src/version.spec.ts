import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT, runProgram } from '@sockets/testing';

// The version a user sees is the one the workspace is released as: the root package.json's.
const { version } = JSON.parse(readFileSync(resolve(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('--version', () => {
  it.each(['udp-server', 'tcp-server', 'udp-client', 'tcp-client'])('%s prints its name and the workspace version, and exits 0', async (app) => {
    const result = await runProgram(app, ['--version']);
    expect({ code: result.code, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({ code: 0, stdout: `${app} ${version}\n`, stderr: '' });
  });
});
