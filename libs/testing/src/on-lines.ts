import type { Readable } from 'node:stream';

/**
 * Calls `onLine` with each complete line (without its LF) and its index, as lines arrive on
 * `stream` (a socket, a child's stdout). Returns what has come after the last LF so far: the
 * unfinished line, for whoever must judge it when the stream ends.
 */
export function onLines(stream: Readable, onLine: (line: string, index: number) => void): () => string {
  let pending = '';
  let index = 0;
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    pending += text;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      onLine(line, index++);
    }
  });
  return () => pending;
}
