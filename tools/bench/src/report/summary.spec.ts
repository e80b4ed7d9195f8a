import type { RunRecord } from '../bench-run';
import { ratios, summarize } from './summary';

function run(over: Partial<RunRecord>): RunRecord {
  return {
    round: 1,
    scenario: 'udp-rr',
    server: 'ours',
    command: 'x',
    transform: 'upper',
    status: 'ok',
    problems: [],
    verified: 100,
    ops: 100,
    secs: 1,
    opsPerS: 100,
    mbPerS: 0.0064,
    p50Us: 10,
    p99Us: 20,
    p999Us: 30,
    maxUs: 40,
    errors: 0,
    lost: 0,
    late: 0,
    timeouts: 0,
    closed: 0,
    neterr: 0,
    srvCpuS: 0.5,
    srvCpuPct: 50,
    perSrvCpuS: 200,
    rssPeakKb: 10240,
    lgCpuPct: 80,
    lgThreads: 2,
    timeWait: 0,
    serverExit: 'code 0',
    ...over,
  };
}

describe('summarize', () => {
  it('takes medians over the runs that passed and counts the failures apart', () => {
    const rows = summarize([
      run({ opsPerS: 300, p99Us: 25 }),
      run({ opsPerS: 100, p99Us: 15 }),
      run({ opsPerS: 200, p99Us: 20 }),
      run({ opsPerS: 9_999_999, status: 'mismatch' }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ runs: 4, ok: 3, failures: ['mismatch'], throughput: 200, throughputMin: 100, throughputMax: 300, p99Us: 20, rssPeakMiB: 10 });
  });

  it('ranks tcp-bulk by MB/s and gives no figure when every run failed', () => {
    const rows = summarize([run({ scenario: 'tcp-bulk', mbPerS: 250, opsPerS: 1 }), run({ server: 'broken', status: 'lost' })]);
    expect(rows.find((r) => r.scenario === 'tcp-bulk')?.throughput).toBe(250);
    expect(rows.find((r) => r.server === 'broken')?.throughput).toBeNaN();
  });

  it('orders rows by scenario', () => {
    const rows = summarize([run({ scenario: 'udp-rr-w16' }), run({ scenario: 'tcp-pipe' }), run({ scenario: 'tcp-cpm' })]);
    expect(rows.map((r) => r.scenario)).toEqual(['tcp-pipe', 'tcp-cpm', 'udp-rr-w16']);
  });
});

describe('ratios', () => {
  it('divides each server by the baseline where both ran, median by median', () => {
    const rows = summarize([
      run({ server: 'ours', opsPerS: 150, perSrvCpuS: 300, p99Us: 10, rssPeakKb: 40960 }),
      run({ server: 'textbook', opsPerS: 100, perSrvCpuS: 200, p99Us: 20, rssPeakKb: 10240 }),
      run({ server: 'ours', scenario: 'tcp-pipe' }),
    ]);
    expect(ratios(rows, ['textbook'])).toEqual([
      { scenario: 'udp-rr', server: 'ours', baseline: 'textbook', throughput: 1.5, perSrvCpuS: 1.5, p99: 0.5, rssPeak: 4 },
    ]);
    expect(ratios(rows, [])).toEqual([]);
  });

  it('compares each baseline with the servers after it and the rest, not the same pair twice', () => {
    const rows = summarize([
      run({ scenario: 'tcp-pipe', server: 'ours', opsPerS: 80 }),
      run({ scenario: 'tcp-pipe', server: 'bare-node', opsPerS: 100 }),
      run({ server: 'ours', opsPerS: 60 }),
      run({ server: 'textbook', opsPerS: 100 }),
      run({ server: 'bare-node', opsPerS: 50 }),
    ]);
    expect(ratios(rows, ['textbook', 'bare-node']).map((r) => [r.scenario, `${r.server}/${r.baseline}`, r.throughput])).toEqual([
      ['tcp-pipe', 'ours/bare-node', 0.8],
      ['udp-rr', 'ours/textbook', 0.6],
      ['udp-rr', 'bare-node/textbook', 0.5],
      ['udp-rr', 'ours/bare-node', 1.2],
    ]);
  });
});
