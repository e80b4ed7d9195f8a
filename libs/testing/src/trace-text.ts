/**
 * The events of a client's text trace (`-v`), each with its whole line: the time, the event's
 * name and its text, with the continuation lines that wrap it to 80 columns joined back on.
 * Other lines (replies on a shared terminal, the error line) are left out.
 */
export function traceEvents(stderr: string): Array<{ event: string; line: string }> {
  const events: Array<{ event: string; line: string }> = [];
  for (const line of stderr.split('\n')) {
    const start = /^ *[\d.]+ ms {2}(\S+)/.exec(line);
    if (start) events.push({ event: start[1], line });
    else if (/^ {28}\S/.test(line) && events.length > 0) events[events.length - 1].line += ` ${line.trim()}`;
  }
  return events;
}
