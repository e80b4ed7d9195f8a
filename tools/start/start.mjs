// `npm start`: both servers in the foreground, as the textbook runs them, on port 12000 (UDP
// and TCP ports are separate spaces, so both can have it). Ctrl-C stops both; if one cannot
// start or dies, the other is stopped and the exit code says so. Flags go to both servers,
// except that an HTTP port cannot be shared: with `--metrics-port N` (or METRICS_PORT) the
// tcp-server's probes listen on N and the udp-server's on N + 1 (both on 0 when N is 0).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const apps = ['udp-server', 'tcp-server'];
const extraArgs = process.argv.slice(2);
const metricsPort = metricsPortOf(extraArgs) ?? process.env.METRICS_PORT;

let stopping = false;
let exitCode = 0;
const running = new Map();

for (const app of apps) {
  // Each server gets its own process group, so a Ctrl-C reaches it once, from us, and not a
  // second time from the terminal (a second signal means "exit now" to our servers).
  const child = spawn(process.execPath, [resolve(root, 'dist/apps', app, 'main.js'), ...argsFor(app)], {
    stdio: 'inherit',
    detached: true,
  });
  running.set(app, child);
  child.on('exit', (code, signal) => {
    running.delete(app);
    if (!stopping) {
      process.stderr.write(`start: ${app} exited (${signal ?? `code ${code}`}); stopping the other server\n`);
      exitCode = code || 1;
      stopAll('SIGTERM');
    } else if (code !== 0) {
      exitCode = code ?? 1;
    }
    if (running.size === 0) process.exit(exitCode);
  });
}

/** The value of `--metrics-port N` or `--metrics-port=N`, the last one given, as written. */
function metricsPortOf(args) {
  let value;
  args.forEach((arg, i) => {
    if (arg === '--metrics-port') value = args[i + 1];
    else if (arg.startsWith('--metrics-port=')) value = arg.slice('--metrics-port='.length);
  });
  return value;
}

function argsFor(app) {
  const args = extraArgs.filter((arg, i) => !arg.startsWith('--metrics-port') && extraArgs[i - 1] !== '--metrics-port');
  // A value that is not a port is passed on as it is, for the server to refuse.
  if (metricsPort === undefined || metricsPort === '') return args;
  const port = /^\d+$/.test(metricsPort) && Number(metricsPort) > 0 && app === 'udp-server' ? String(Number(metricsPort) + 1) : metricsPort;
  return [...args, '--metrics-port', port];
}

function stopAll(signal) {
  stopping = true;
  for (const child of running.values()) child.kill(signal);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) return;
    stopAll(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}
