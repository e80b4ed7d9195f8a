import { resolve } from 'node:path';
import { WORKSPACE_ROOT, runProgram } from '@sockets/testing';

// The built tool (the test target depends on its build and on the servers' builds), run the way
// a user runs it for a few seconds: this checks the machinery, not the servers' stamina.
const SOAK = resolve(WORKSPACE_ROOT, 'dist/tools/soak/main.js');

function soak(args: string[]) {
  return runProgram(SOAK, args, { command: process.execPath, timeoutMs: 90_000 });
}

jest.setTimeout(120_000);

describe('soak against the built servers', () => {
  it('runs every kind of load, checks every reply and reports the figures', async () => {
    const result = await soak([
      '--duration-s', '3',
      '--report-every-s', '1',
      '--tcp-connections', '4',
      '--slow-writers', '2',
      '--idle-connections', '4',
      '--resets-per-s', '5',
      '--udp-clients', '2',
      '--flush-ms', '200',
      // Shorter than the run, so idle connections are closed by the server and come back.
      '--idle-timeout-ms', '1000',
    ]);
    const stdout = result.stdout.toString();
    expect({ code: result.code, stderr: result.stderr, timedOut: result.timedOut }).toEqual({ code: 0, stderr: '', timedOut: false });
    expect(stdout).toMatch(/^result: PASS$/m);
    for (const name of ['tcp-upper', 'tcp-count-s', 'udp-upper', 'udp-count-s']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} +peak RSS [\\d.]+ MiB .*: back to baseline; .*exit 0$`, 'm'));
    }
    const rows = stdout.split('\n').filter((line) => /^\s+\d+(\s+[\d.]+ \/ \d+){4}(\s+\d+){7}$/.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const tcp = /^ {2}tcp: (\d+) messages sent, (\d+) answered, 0 mismatches, 0 errors, 0 lost, (\d+) not judged/m.exec(stdout);
    const [sent, answered, notJudged] = [tcp?.[1], tcp?.[2], tcp?.[3]].map(Number);
    expect(sent).toBeGreaterThan(0);
    // A slow writer that a busy machine stalls past half the flush interval gives up on its
    // message rather than judge it on timing the server cannot know (tcp-load.ts): such a
    // message is not judged, and every other one is answered.
    expect(answered + notJudged).toBe(sent);
    expect(answered).toBeGreaterThan(notJudged);
    expect(stdout).toMatch(/\d+ reset, [1-9]\d* closed idle by the server, [1-9]\d* idle flushes awaited/);
    expect(stdout).toMatch(/^ {2}udp: [1-9]\d* datagrams sent, [1-9]\d* answered, 0 mismatches, 0 errors/m);
  });

  it('refuses a bad flag value with exit code 2, naming the flag', async () => {
    const result = await soak(['--duration-s', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--duration-s/);
  });
});
