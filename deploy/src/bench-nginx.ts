/**
 * tcp-pipe, tcp-cpm and udp-rr through nginx to 1 and to 3 instances, next to the servers
 * alone, with tools/bench as the load generator: each nginx set-up is a "server" to it
 * (deploy/src/nginx-front.ts), so it is started, checked, loaded, verified and measured (CPU and
 * RSS of nginx and the instances together) exactly as a server is.
 *
 *   npx nx run deploy:bench [-- --duration 5 --rounds 3 --instances 1,3 --out DIR]
 *
 * Other flags go to tools/bench unchanged. After tools/bench's own tables comes one that splits
 * the server side of each nginx run between nginx and the instances, from the launcher's report.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const quote = (path: string): string => JSON.stringify(path);

function main(): void {
  const { values, tokens } = parseArgs({
    options: {
      instances: { type: 'string', default: '1,3' },
      duration: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '1' },
      'nginx-workers': { type: 'string', default: '1' },
      out: { type: 'string' },
    },
    strict: false,
    tokens: true,
  });
  const mine = new Set(['instances', 'duration', 'rounds', 'nginx-workers', 'out']);
  const passOn = (tokens ?? []).flatMap((t) => (t.kind === 'option' && !mine.has(t.name) ? [t.rawName, ...(t.value !== undefined ? [t.value] : [])] : t.kind === 'positional' ? [t.value] : []));

  const outDir = String(values.out ?? mkdtempSync(join(tmpdir(), 'bench-nginx-')));
  mkdirSync(outDir, { recursive: true });
  const reportPath = join(outDir, 'nginx-front.jsonl');
  const node = quote(process.execPath);
  const direct = (app: string) => `${node} ${quote(join(ROOT, 'dist/apps', app, 'main.js'))} --port {port} --transform {transform}`;
  const front = (protocol: string, instances: string) =>
    `${node} --require @swc-node/register ${quote(join(ROOT, 'deploy/src/nginx-front.ts'))} --protocol ${protocol} --instances ${instances} ` +
    `--nginx-workers ${values['nginx-workers']} --report ${quote(reportPath)} --port {port} --transform {transform}`;
  const servers = [`direct@tcp-pipe,tcp-cpm=${direct('tcp-server')}`, `direct@udp-rr=${direct('udp-server')}`];
  for (const n of String(values.instances).split(',')) {
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
  child.once('close', (code) => {
    if (existsSync(reportPath) && existsSync(join(outDir, 'nginx.json'))) process.stdout.write(splitTable(join(outDir, 'nginx.json'), reportPath));
    process.exit(code ?? 1);
  });
}

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

main();
