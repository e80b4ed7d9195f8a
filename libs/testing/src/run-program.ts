import { spawn } from 'node:child_process';
import { PROGRAM_RUNTIME, distMain } from './paths';

export interface RunProgramOptions {
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** The program is killed after this long (default 20 s) and the result says so. */
  timeoutMs?: number;
  /** Run this executable instead of the program runtime (e.g. python3); `app` is then a script path. */
  command?: string;
}

export interface ProgramResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** Runs a built app (or any script with `command`) to completion with piped stdio. */
export function runProgram(app: string, args: string[] = [], options: RunProgramOptions = {}): Promise<ProgramResult> {
  const [command, script] = options.command ? [options.command, app] : [PROGRAM_RUNTIME, distMain(app)];
  const started = performance.now();
  const child = spawn(command, [script, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr, timedOut, durationMs: performance.now() - started });
    });
  });
}
