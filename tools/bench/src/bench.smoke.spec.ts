import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WORKSPACE_ROOT, runProgram } from '@sockets/testing';
import type { RunRecord } from './bench-run';
import type { RatioRow, SummaryRow } from './report/summary';

// The built tool (the test target depends on its build and on the servers' builds), run the way
// a user runs it, with runs far too short to mean anything: this checks the machinery, not speed.
const BENCH = resolve(WORKSPACE_ROOT, 'dist/tools/bench/main.js');
const SHORT = ['--rounds', '1', '--duration', '0.3', '--warmup', '0.1', '--threads', '2', '--startup-timeout', '20'];

interface ResultsFile {
  machine: { nproc: number; cpuModel: string; node: string; runtimes: Array<{ label: string; version: string }> };
  runs: RunRecord[];
  summary: SummaryRow[];
  ratios: RatioRow[];
}

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function bench(args: string[]) {
  return runProgram(BENCH, [...SHORT, '--out', out, ...args], { command: process.execPath, timeoutMs: 90_000 });
}

function results(label: string): ResultsFile {
  return JSON.parse(readFileSync(join(out, `${label}.json`), 'utf8')) as ResultsFile;
}

describe('bench against the built servers, the textbook ones and the bare Node floor', () => {
  it('runs every kind of load, verifies the replies and reports every figure', async () => {
    const result = await bench([
      '--servers',
      'ours,textbook,bare',
      '--scenario',
      'tcp-pipe,tcp-cpm,tcp-bulk,udp-rr-w16',
      '--bulk-mib',
      '4',
      // Generous: a busy test machine may stall a thread for a while; losses are not the point here.
      '--udp-timeout-ms',
      '2000',
      '--label',
      'smoke',
    ]);
    const stdout = result.stdout.toString();
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });

    const file = results('smoke');
    expect(file.machine.nproc).toBeGreaterThan(0);
    const ran = file.runs.map((r) => `${r.scenario} ${r.server}`).sort();
    expect(ran).toEqual([
      'tcp-bulk bare-node',
      'tcp-bulk ours',
      'tcp-cpm bare-node',
      'tcp-cpm ours',
      'tcp-cpm textbook',
      'tcp-pipe bare-node',
      'tcp-pipe ours',
      'udp-rr-w16 bare-node',
      'udp-rr-w16 ours',
      'udp-rr-w16 textbook',
    ]);
    for (const run of file.runs) {
      const what = `${run.scenario} ${run.server}: ${run.problems.join('; ')}`;
      expect({ what, status: run.status, errors: run.errors, lost: run.lost }).toEqual({ what, status: 'ok', errors: 0, lost: 0 });
      expect(run.verified).toBeGreaterThan(0);
      expect(run.ops).toBeGreaterThan(0);
      expect(run.opsPerS).toBeGreaterThan(0);
      expect(run.mbPerS).toBeGreaterThan(0);
      expect(run.srvCpuS).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(run.srvCpuPct)).toBe(true);
      expect(run.rssPeakKb).toBeGreaterThan(1024);
      expect(run.lgCpuPct).toBeGreaterThan(0);
      expect(run.serverExit).not.toBe('running');
      if (run.scenario === 'tcp-bulk') {
        expect(run.verified).toBe(4); // 4 lines of 1 MiB, every byte compared
      } else {
        expect(run.p50Us).toBeGreaterThan(0);
        expect(run.p99Us as number).toBeGreaterThanOrEqual(run.p50Us as number);
        expect(run.p999Us as number).toBeGreaterThanOrEqual(run.p99Us as number);
      }
    }
    expect(file.ratios.map((r) => `${r.scenario} ${r.server}/${r.baseline}`)).toEqual([
      'tcp-pipe ours/bare-node',
      'tcp-cpm ours/textbook',
      'tcp-cpm bare-node/textbook',
      'tcp-cpm ours/bare-node',
      'tcp-bulk ours/bare-node',
      'udp-rr-w16 ours/textbook',
      'udp-rr-w16 bare-node/textbook',
      'udp-rr-w16 ours/bare-node',
    ]);
    for (const r of file.ratios) expect(r.throughput).toBeGreaterThan(0);

    expect(stdout).toMatch(/\| scenario +\| server +\| throughput/);
    expect(stdout).toMatch(/\| tcp-cpm +\| ours \/ textbook +\|/);
    expect(stdout).toMatch(/\| tcp-pipe +\| ours \/ bare-node +\|/);
    const svg = readFileSync(join(out, 'smoke.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('udp-rr-w16');
  }, 120_000);

  it('fails a run whose server answers wrongly, and says what it got', async () => {
    // Echo servers: right framing, wrong text (lowercase instead of uppercase).
    const udpEcho = `node -e "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(+process.argv[1])" {port}`;
    const tcpEcho = `node -e "require('net').createServer((c)=>c.pipe(c)).listen(+process.argv[1])" {port}`;
    const result = await bench([
      '--scenario',
      'tcp-pipe,udp-rr',
      '--server',
      `echo@udp=${udpEcho}`,
      '--server',
      `echo@tcp=${tcpEcho}`,
      '--label',
      'echo',
    ]);
    expect(result.code).toBe(1);
    const file = results('echo');
    expect(file.runs.map((r) => [r.scenario, r.status])).toEqual([
      ['tcp-pipe', 'mismatch'],
      ['udp-rr', 'mismatch'],
    ]);
    for (const run of file.runs) {
      expect(run.errors).toBeGreaterThan(0);
      expect(run.problems[0]).toMatch(/expected "[A-Z]/);
    }
    expect(file.summary.every((row) => row.ok === 0 && Number.isNaN(row.throughput ?? Number.NaN))).toBe(true);
    expect(result.stdout.toString()).toMatch(/FAILED round 1 tcp-pipe echo: mismatch/);
  }, 60_000);

  it('runs ours and the bare floor on a second runtime, and tables each against the floor of its runtime', async () => {
    // The node running this test, under another name: the machinery is the same for bun.
    const result = await bench(['--servers', 'ours,bare', '--runtime', `node,alt=${process.execPath}`, '--scenario', 'udp-rr', '--udp-timeout-ms', '2000', '--label', 'runtimes']);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    const file = results('runtimes');
    expect(file.runs.map((r) => r.server).sort()).toEqual(['bare-alt', 'bare-node', 'ours', 'ours-alt']);
    expect(file.machine).toMatchObject({ runtimes: [{ label: 'node' }, { label: 'alt', version: process.version }] });
    const stdout = result.stdout.toString();
    // Right-aligned columns: a header is padded on either side, as wide as its widest figure.
    expect(stdout).toMatch(/\| scenario +\| unit +\| +ours on node +\| +bare on node +\| +ours ÷ bare +\| +ours on alt +\| +bare on alt +\| +ours ÷ bare +\| +textbook +\|/);
    expect(stdout).toMatch(/\| udp-rr +\| req\/s +\| +[\d.]+k?; [\d.]+k? +\| +[\d.]+k?; [\d.]+k? +\| +\d\.\d\d; \d\.\d\d +\|/);
  }, 60_000);

  it('prints its version', async () => {
    const result = await runProgram(BENCH, ['--version'], { command: process.execPath });
    expect({ code: result.code, stdout: result.stdout.toString() }).toEqual({ code: 0, stdout: expect.stringMatching(/^bench \d+\.\d+\.\d+\n$/) });
  });

  it('refuses a label that names another folder before running anything, in one line', async () => {
    const result = await bench(['--label', '/tmp/x', '--scenario', 'udp-rr']);
    expect(result.code).toBe(2);
    expect(result.stderr.toString()).toMatch(/^bench: --label: expected a file name without "\/".*, got "\/tmp\/x"\n$/);
    expect(result.stdout.toString()).toBe('');
  });
});
