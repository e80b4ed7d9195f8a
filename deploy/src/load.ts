import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { distMain, onLines } from '@sockets/testing';

/** Every message here is lowercase ASCII, so the right reply is plain `toUpperCase`. */
export const upper = (message: string): string => message.toUpperCase();

const now = (): number => performance.now();

/** One TCP connection as the client saw it. */
export interface ConnectionRecord {
  localPort: number;
  openedAt: number;
  closedAt: number;
  /** Messages written; the last may be unanswered when the connection ended. */
  sent: number;
  /** Replies that came back whole and right. */
  answered: number;
  /** A reply cut short by the server's FIN: its prefix was right; counted apart from `answered`. */
  partial: number;
  wrong: string[];
  /** How it ended: `client` (we closed first, after our last reply), `fin` (the server's side closed first), or the error code. */
  end: 'client' | 'fin' | string;
  /** Times (performance.now) of the replies. */
  replyTimes: number[];
}

export interface TcpLoadOptions {
  host: string;
  port: number;
  /** Concurrent connections (streams) or workers (connection per message). */
  concurrency: number;
  /** No new message is started after this (performance.now() time). */
  until: number;
  /** No new message is started once this is aborted: ends the load at an event, not at a time a slow machine can reach first. */
  signal?: AbortSignal;
  /** Upper bound on messages per worker, whatever the clock says. */
  maxMessages: number;
  /** Messages per connection: 1 is connection-per-message; more keeps a connection for that many. */
  perConnection: number;
  /** Pause between a reply and the next message on a connection. */
  pauseMs?: number;
  /** Prefix of every message, so the runs of one test never share a message. */
  tag: string;
  /** A connection quiet this long is given up (bounded wait, never a hang). */
  replyTimeoutMs?: number;
}

/**
 * Stop-and-wait clients over raw sockets: each worker opens a connection, sends a line, checks
 * the reply, sends the next, and after `perConnection` replies closes and opens a new one. A
 * request left unanswered when the connection ends (the instance drained or died) is sent again
 * on the next connection, so every message is answered once some instance is up.
 */
export async function tcpLoad(options: TcpLoadOptions): Promise<ConnectionRecord[]> {
  const records: ConnectionRecord[] = [];
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      let seq = 0;
      let carried: string | undefined;
      // Bounded: every connection either answers a message or is one of at most maxMessages retries.
      const more = () => seq < options.maxMessages && now() < options.until && !options.signal?.aborted;
      for (let connections = 0; connections < 2 * options.maxMessages; connections++) {
        if (carried === undefined && !more()) break;
        const next = () => (carried !== undefined ? carried : more() ? `${options.tag} w${worker} m${seq++} hello nginx` : undefined);
        const { record, unanswered } = await oneConnection(options, next, () => (carried = undefined));
        records.push(record);
        carried = unanswered;
      }
    }),
  );
  return records;
}

function oneConnection(
  options: TcpLoadOptions,
  next: () => string | undefined,
  delivered: () => void,
): Promise<{ record: ConnectionRecord; unanswered: string | undefined }> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port, noDelay: true });
    const record: ConnectionRecord = { localPort: 0, openedAt: now(), closedAt: 0, sent: 0, answered: 0, partial: 0, wrong: [], end: 'client', replyTimes: [] };
    let outstanding: string | undefined;
    let ending = false;
    let peerEnded = false;
    const sendNext = () => {
      if (peerEnded || socket.destroyed) return;
      const message = record.sent < options.perConnection ? next() : undefined;
      if (message === undefined) {
        ending = true;
        socket.end();
        return;
      }
      outstanding = message;
      record.sent++;
      socket.write(`${message}\n`);
    };
    socket.setTimeout(options.replyTimeoutMs ?? 5000, () => {
      record.end = 'timeout';
      socket.destroy();
    });
    socket.once('connect', () => {
      record.localPort = socket.localPort ?? 0;
      sendNext();
    });
    const unfinished = onLines(socket, (line) => {
      if (outstanding === undefined || line !== upper(outstanding)) {
        record.wrong.push(line);
        return;
      }
      record.answered++;
      record.replyTimes.push(now());
      outstanding = undefined;
      delivered();
      if (options.pauseMs) setTimeout(sendNext, options.pauseMs);
      else sendNext();
    });
    socket.once('end', () => {
      peerEnded = true;
      if (!ending) record.end = 'fin';
      const pending = unfinished();
      if (outstanding !== undefined && pending !== '') {
        // The server answered what it had read of the message before it stopped.
        if (upper(outstanding).startsWith(pending)) record.partial++;
        else record.wrong.push(pending);
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      record.end = error.code ?? error.message;
    });
    socket.once('close', () => {
      record.closedAt = now();
      resolve({ record, unanswered: outstanding });
    });
  });
}

export interface PacedRun {
  /** Resolves with the first line the program prints. */
  firstLine: Promise<string>;
  /** `fed`: how many of the lines the program was given. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string[]; stderr: string; fed: number }>;
}

export interface PacedOptions {
  intervalMs: number;
  /** Once aborted, no more lines: stdin is closed as at the end of the lines. */
  signal?: AbortSignal;
  /** The program is killed if it runs this long. */
  timeoutMs?: number;
}

/**
 * Runs a built client with its stdin a pipe fed one line every `intervalMs`, until the lines
 * run out or `signal` is aborted. A test that places an event in the middle of the run gives
 * more lines than it needs and aborts after the event, so a slow machine cannot reach the end
 * of the lines before the event.
 */
export function runPaced(app: string, args: string[], lines: string[], { intervalMs, signal, timeoutMs = 30_000 }: PacedOptions): PacedRun {
  const child = spawn(process.execPath, [distMain(app), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  let resolveFirst: (line: string) => void = () => undefined;
  let rejectFirst: (error: Error) => void = () => undefined;
  const firstLine = new Promise<string>((res, rej) => {
    resolveFirst = res;
    rejectFirst = rej;
  });
  firstLine.catch(() => undefined);
  const unfinished = onLines(child.stdout, (line) => {
    stdout.push(line);
    if (stdout.length === 1) resolveFirst(line);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => undefined);
  let fed = 0;
  const feeder = setInterval(() => {
    if (fed < lines.length && !signal?.aborted) child.stdin.write(`${lines[fed++]}\n`);
    else {
      clearInterval(feeder);
      child.stdin.end();
    }
  }, intervalMs);
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string[]; stderr: string; fed: number }>((resolve) =>
    child.once('close', (code, signal) => {
      clearInterval(feeder);
      clearTimeout(killer);
      if (unfinished() !== '') stdout.push(unfinished());
      rejectFirst(new Error(`${app} exited (${code ?? signal}) before printing a line; stderr: ${stderr}`));
      resolve({ code, signal, stdout, stderr, fed });
    }),
  );
  return { firstLine, done };
}
