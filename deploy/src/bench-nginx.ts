/**
 * tcp-pipe, tcp-cpm and udp-rr through nginx to 1 and to 3 instances, next to the servers
 * alone, with tools/bench as the load generator: each nginx set-up is a "server" to it
 * (deploy/src/nginx-front.ts), so it is started, checked, loaded, verified and measured (CPU and
 * RSS of nginx and the instances together) exactly as a server is.
 *
 *   npx nx run deploy:bench [-- --duration 5 --rounds 3 --instances 1,3 --out DIR]
 *   node --require @swc-node/register deploy/src/bench-nginx.ts [flags] [-- bench flags]
 *
 * Words after `--` go to tools/bench unchanged. After tools/bench's own tables comes one that
 * splits the server side of each nginx run between nginx and the instances, from the launcher's
 * report.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decimalFlag, integerFlag, runCli, textFlag, type FlagSpec } from '@sockets/cli';

const ROOT = resolve(__dirname, '../..');
const quote = (path: string): string => JSON.stringify(path);

const program = {
  name: 'bench-nginx',
  usage: '[flags] [-- bench flags]',
  summary: 'tcp-pipe, tcp-cpm and udp-rr through nginx to N instances, next to the servers alone, with tools/bench as the load generator.',
  positionals: true,
};

const flags = {
  instances: {
    valueName: 'LIST',
    description: 'instance counts behind nginx, a comma list',
    default: [1, 3],
    defaultText: '1,3',
    parse(raw: string) {
      const counts = raw.split(',').map(Number);
      if (counts.length === 0 || !counts.every((n) => Number.isInteger(n) && n >= 1 && n <= 64)) throw new Error('expected a comma list of integers from 1 to 64');
      return counts;
    },
  } as FlagSpec<number[]>,
  duration: decimalFlag({ description: 'measured seconds per run', default: 3, min: 0.05, max: 3600 }),
  rounds: integerFlag({ description: 'rounds', default: 1, min: 1, max: 100 }),
  'nginx-workers': integerFlag({ description: 'nginx worker processes', default: 1, min: 1, max: 64 }),
  out: textFlag({ valueName: 'DIR', description: 'where results go', defaultText: 'a new temporary folder' }),
};

runCli(program, flags, async (values, passOn) => {
  const outDir = values.out ?? mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  mkdirSync(outDir, { recursive: true });
  const reportPath = join(outDir, 'nginx-front.jsonl');
  const node = quote(process.execPath);
  const direct = (app: string) => `${node} ${quote(join(ROOT, 'dist/apps', app, 'main.js'))} --port {port} --transform {transform}`;
  const front = (protocol: string, instances: number) =>
    `${node} --require @swc-node/register ${quote(join(ROOT, 'deploy/src/nginx-front.ts'))} --protocol ${protocol} --instances ${instances} ` +
    `--nginx-workers ${values['nginx-workers']} --report ${quote(reportPath)} --port {port} --transform {transform}`;
  const servers = [`direct@tcp-pipe,tcp-cpm=${direct('tcp-server')}`, `direct@udp-rr=${direct('udp-server')}`];
  for (const n of values.instances) {
    servers.push(`nginx-${n}@tcp-pipe,tcp-cpm=${front('tcp', n)}`, `nginx-${n}@udp-rr=${front('udp', n)}`);
  }
  const args = [
    join(ROOT, 'dist/tools/bench/main.js'),
    '--scenario',
    'tcp-pipe,tcp-cpm,udp-rr',
    ...servers.flatMap((s) => ['--server', s]),
    '--baseline',
    'direct',
    '--duration',
    String(values.duration),
    '--rounds',
    String(values.rounds),
    '--out',
    outDir,
    '--label',
    'nginx',
    ...passOn,
  ];
  // The front is TypeScript run through swc-node, which takes the path aliases from here.
  const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'deploy/tsconfig.json') } });
  const code = await new Promise<number | null>((done) => child.once('close', done));
  if (existsSync(reportPath) && existsSync(join(outDir, 'nginx.json'))) process.stdout.write(splitTable(join(outDir, 'nginx.json'), reportPath));
  return code ?? 1;
});

interface Run {
  scenario: string;
  server: string;
  opsPerS: number;
  srvCpuS: number;
  secs: number;
}
interface FrontReport {
  nginxCpuS: number;
  instancesCpuS: number;
  launcherCpuS: number;
  nginxRssKb: number;
  instancesRssKb: number;
  launcherRssKb: number;
}

/**
 * tools/bench measures nginx, the instances and the launcher as one tree. The launcher's report
 * (whole lifetime, warm-up included) gives each part's share; applied to the measured window,
 * that says what one core of nginx carries. The launcher idles through the load but its Node
 * heap counts in the tree's peak RSS, so the memory is shown apart too.
 */
function splitTable(resultsPath: string, reportPath: string): string {
  const runs = (JSON.parse(readFileSync(resultsPath, 'utf8')) as { runs: Run[] }).runs.filter((r) => r.server.startsWith('nginx-'));
  const reports = readFileSync(reportPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as FrontReport);
  const rows = runs.map((run, i) => {
    const r = reports[i];
    if (!r) return `| ${run.scenario} | ${run.server} | no report | | | | |`;
    const total = r.nginxCpuS + r.instancesCpuS + r.launcherCpuS;
    const nginxShare = total > 0 ? r.nginxCpuS / total : 0;
    const perNginxCore = nginxShare > 0 ? (run.opsPerS * run.secs) / (run.srvCpuS * nginxShare) : 0;
    const mib = (kb: number) => (kb / 1024).toFixed(0);
    return `| ${run.scenario} | ${run.server} | ${Math.round(nginxShare * 100)}% | ${Math.round(perNginxCore).toLocaleString('en-US')} | ${mib(r.nginxRssKb)} | ${mib(r.instancesRssKb)} | ${mib(r.launcherRssKb)} |`;
  });
  return [
    '',
    'Server side of the nginx runs, split (launcher report):',
    '',
    '| scenario | set-up | nginx share of server CPU | ops per nginx CPU-s | nginx peak RSS MiB (all processes) | instances peak RSS MiB | launcher RSS MiB |',
    '|----------|--------|--------------------------:|--------------------:|-----------------------------------:|-----------------------:|-----------------:|',
    ...rows,
    '',
  ].join('\n');
}

