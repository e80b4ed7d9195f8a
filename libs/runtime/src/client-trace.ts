import type { Writable } from 'node:stream';

/**
 * A client's trace (`--verbose`, `--json`): one line on stderr for each thing that happens on
 * the wire, worded for someone learning what a socket does, and a summary at the end. The
 * transports emit events; this file alone decides how they read, so UDP and TCP traces speak
 * the same language. Without a trace the clients get `NO_TRACE`, whose calls do nothing, and
 * they skip the clock readings and copies that only a trace would use.
 */

/** `text` reads as sentences; `json` is one object per line, for scripts and plots. */
export type TraceFormat = 'text' | 'json';

export type ClientTraceEvent =
  /** What the host name stood for; the first address is tried first. */
  | { event: 'resolve'; host: string; addresses: string[] }
  /** UDP: a socket was created and connected (which sends nothing) to the server. */
  | { event: 'socket'; local: string; remote: string }
  /** UDP: the socket was replaced, so replies owed to it can no longer arrive. */
  | { event: 'socket-closed'; local: string; reason: 'retransmitted' }
  /** TCP: the kernel starts the three-way handshake with one of the addresses. */
  | { event: 'connecting'; to: string }
  | { event: 'connect-failed'; to: string; code: string }
  | { event: 'connected'; local: string; remote: string; handshakeMs: number }
  /** A message leaves: a datagram (UDP, with its attempt) or bytes into the connection (TCP). */
  | { event: 'send'; message: number; bytes: number; data: Buffer; to?: string; attempt?: number; inFlight?: number }
  | { event: 'reply'; message: number; bytes: number; data: Buffer; rttMs: number; from?: string; attempt?: number; inFlight?: number }
  /** UDP: the wait expired; the same datagram goes out again and the next wait is longer. */
  | { event: 'retransmit'; message: number; attempt: number; attempts: number; waitedMs: number; nextWaitMs: number }
  | { event: 'gave-up'; message: number; attempts: number; waitedMs: number }
  /** UDP: a datagram that arrived and is not the reply to the message waiting. */
  | { event: 'ignored'; reason: 'empty-reply' | 'no-request'; bytes: number; from: string; data: Buffer }
  /** UDP: ICMP port unreachable; `next` is the address tried instead, if any. */
  | { event: 'refused'; to: string; next?: string }
  /** TCP: the client has no more messages and sent its FIN; replies can still come. */
  | { event: 'half-close'; sent: number; received: number }
  /** TCP: the server's side ended: FIN (`end`), RST (`reset`), or another socket error code. */
  | { event: 'peer-closed'; how: string; sent: number; received: number }
  /**
   * TCP: how the connection ended. `first` ended its side first, `how`: `half-close` (no more
   * messages), `end` (FIN), `reset` (RST), `gave-up` (the client's timeout, `error` says which),
   * `done`, or an error code; `then` is how the other side ended afterwards, if it was seen.
   */
  | { event: 'closed'; first: 'client' | 'server'; how: string; then?: string; sent: number; received: number; error?: string };

export interface ClientTrace {
  /** False for `NO_TRACE`: callers skip work whose only use is an event. */
  readonly enabled: boolean;
  /** Milliseconds since the trace began, for round-trip times. */
  now(): number;
  emit(event: ClientTraceEvent): void;
  /** Writes the closing summary (messages, bytes each way, round trips, retransmissions), once. */
  summary(): void;
}

export const NO_TRACE: ClientTrace = Object.freeze({
  enabled: false,
  now: () => 0,
  emit: () => undefined,
  summary: () => undefined,
});

export interface ClientTraceOptions {
  format: TraceFormat;
  output: Writable;
  protocol: 'udp' | 'tcp';
  /** Milliseconds from an arbitrary origin; tests pass a fake one. */
  clock?: () => number;
}

/** The trace the user asked for, or `NO_TRACE` when `format` is undefined. */
export function createClientTrace(options: Omit<ClientTraceOptions, 'format'> & { format: TraceFormat | undefined }): ClientTrace {
  return options.format ? new TraceWriter({ ...options, format: options.format }) : NO_TRACE;
}

/** How many bytes of a message a trace line shows. */
export const PREVIEW_BYTES = 40;

/**
 * The first bytes of a message as text a terminal shows safely: printable characters as they
 * are (UTF-8 included), `\n`, `\r`, `\t`, `\\`, `\"` escaped, any other byte as `\xNN`.
 * `cut` says that bytes were left out.
 */
export function previewBytes(data: Buffer, max = PREVIEW_BYTES): { text: string; cut: boolean } {
  const end = Math.min(data.length, max);
  let text = '';
  let i = 0;
  while (i < end) {
    const byte = data[i];
    if (byte < 0x80) {
      text += escapeAscii(byte);
      i++;
      continue;
    }
    const length = utf8Length(data, i, end);
    const char = length > 0 ? data.toString('utf8', i, i + length) : '';
    if (length > 0 && !/\p{C}/u.test(char)) {
      text += char;
      i += length;
    } else {
      text += hexByte(byte);
      i++;
    }
  }
  return { text, cut: data.length > max };
}

function escapeAscii(byte: number): string {
  switch (byte) {
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
    default:
      return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : hexByte(byte);
  }
}

function hexByte(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

/** The length of the well-formed UTF-8 sequence at `start` that ends by `end`, or 0. */
function utf8Length(data: Buffer, start: number, end: number): number {
  const lead = data[start];
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0 || start + length > end) return 0;
  for (let i = start + 1; i < start + length; i++) if ((data[i] & 0xc0) !== 0x80) return 0;
  // Overlong forms, surrogates and code points past U+10FFFF decode to U+FFFD, which does not
  // encode back to the same bytes.
  const sequence = data.subarray(start, start + length);
  return Buffer.from(sequence.toString('utf8'), 'utf8').equals(sequence) ? length : 0;
}

/** The text trace fits a terminal this wide. */
export const TRACE_WIDTH = 80;
/** Where a line's text starts: after the time (`  1234.5 ms  `) and the event's name. */
export const TEXT_COLUMN = 28;

/**
 * `text` in lines of at most `width` characters, broken at spaces; a word longer than a line
 * (a long address, a preview without spaces) is broken where the line ends.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    while (line === '' && word.length > width) {
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** `0.42`, `12.3`, `1500`: enough digits to compare round trips over loopback and beyond. */
export function formatMs(ms: number): string {
  if (ms < 10) return ms.toFixed(2);
  if (ms < 1000) return ms.toFixed(1);
  return ms.toFixed(0);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** `1 reply`, `2 replies`: a count and its noun. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** What an exchange added up to, counted from its events, for a trace's or a diagram's last word. */
export class Tally {
  private messages = 0;
  private replies = 0;
  private sent = 0;
  private received = 0;
  private bytesSent = 0;
  private bytesReceived = 0;
  private retransmissions = 0;
  private maxInFlight = 0;
  private readonly rtts: number[] = [];

  constructor(private readonly protocol: 'udp' | 'tcp') {}

  count(event: ClientTraceEvent): void {
    switch (event.event) {
      case 'send':
        if ((event.attempt ?? 1) === 1) this.messages++;
        this.sent++;
        this.bytesSent += event.bytes;
        this.maxInFlight = Math.max(this.maxInFlight, event.inFlight ?? 1);
        break;
      case 'reply':
        this.replies++;
        this.received++;
        this.bytesReceived += event.bytes;
        this.rtts.push(event.rttMs);
        break;
      case 'ignored':
        this.received++;
        this.bytesReceived += event.bytes;
        break;
      case 'retransmit':
        this.retransmissions++;
        break;
    }
  }

  /** The summary as JSON fields. */
  fields(): Record<string, unknown> {
    const rtt = this.rtts.length > 0 ? spread(this.rtts) : null;
    const udp = this.protocol === 'udp';
    return {
      protocol: this.protocol,
      messages: this.messages,
      replies: this.replies,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      ...(udp ? { datagramsSent: this.sent, datagramsReceived: this.received, retransmissions: this.retransmissions } : { maxInFlight: this.maxInFlight }),
      rttMs: rtt && { min: round(rtt.min), median: round(rtt.median), max: round(rtt.max) },
    };
  }

  /** The summary in words. */
  text(): string {
    const rtt = this.rtts.length > 0 ? spread(this.rtts) : null;
    const udp = this.protocol === 'udp';
    const parts = [`${plural(this.messages, 'message')}, ${plural(this.replies, 'reply', 'replies')}`];
    parts.push(
      udp
        ? `${plural(this.sent, 'datagram')} sent (${plural(this.bytesSent, 'byte')}), ${this.received} received (${plural(this.bytesReceived, 'byte')})`
        : `${plural(this.bytesSent, 'byte')} sent, ${this.bytesReceived} received`,
    );
    parts.push(rtt ? `round trip min ${formatMs(rtt.min)} / median ${formatMs(rtt.median)} / max ${formatMs(rtt.max)} ms` : 'no round trip completed');
    if (udp) parts.push(plural(this.retransmissions, 'retransmission'));
    else if (this.sent > 0) parts.push(`at most ${this.maxInFlight} in flight; retransmissions: none visible (TCP resends lost segments itself, below the socket)`);
    return parts.join('; ');
  }
}

class TraceWriter implements ClientTrace {
  readonly enabled = true;
  private readonly clock: () => number;
  private readonly origin: number;
  private summarized = false;
  private readonly tally: Tally;

  constructor(private readonly options: ClientTraceOptions & { format: 'text' | 'json' }) {
    this.clock = options.clock ?? (() => performance.now());
    this.origin = this.clock();
    this.tally = new Tally(options.protocol);
  }

  now(): number {
    return this.clock() - this.origin;
  }

  emit(event: ClientTraceEvent): void {
    this.tally.count(event);
    this.write(event.event, this.fields(event), () => describeEvent(event));
  }

  summary(): void {
    if (this.summarized) return;
    this.summarized = true;
    this.write('summary', this.tally.fields(), () => this.tally.text());
  }

  /** The event as JSON fields: the bytes become their preview, times are rounded. */
  private fields(event: ClientTraceEvent): Record<string, unknown> {
    const { event: _name, ...rest } = event;
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      if (Buffer.isBuffer(value)) {
        const { text, cut } = previewBytes(value);
        fields.text = text;
        if (cut) fields.cut = true;
      } else fields[key] = typeof value === 'number' && key.endsWith('Ms') ? round(value) : value;
    }
    return fields;
  }

  private write(name: string, fields: Record<string, unknown>, text: () => string): void {
    const ms = this.now();
    if (this.options.format === 'json') {
      this.options.output.write(`${JSON.stringify({ event: name, ms: round(ms), ...fields })}\n`);
      return;
    }
    // Time and event name, then what happened, wrapped to fit an 80-column terminal: the
    // columns stay put, and the details go on continuation lines under the text.
    const [first, ...rest] = wrap(text(), TRACE_WIDTH - TEXT_COLUMN);
    const lines = [`${formatMs(ms).padStart(8)} ms  ${name.padEnd(TEXT_COLUMN - 13)}${first}`, ...rest.map((line) => `${' '.repeat(TEXT_COLUMN)}${line}`)];
    this.options.output.write(`${lines.join('\n')}\n`);
  }
}

/** An event in words, as the text trace writes it. */
export function describeEvent(event: ClientTraceEvent): string {
  switch (event.event) {
    case 'resolve': {
      const { host, addresses } = event;
      if (addresses.length === 1 && addresses[0] === host) return `${host} is an IP address already: nothing to look up`;
      const first = addresses.length > 1 ? `; trying ${addresses[0]} first` : '';
      return `${host} is ${addresses.join(', ')} (the resolver's answer, from /etc/hosts or DNS)${first}`;
    }
    case 'socket':
      return `UDP socket ${event.local} (the OS picked the port) for ${event.remote}; nothing sent yet, UDP has no handshake. Each datagram will carry that destination, and only datagrams from it get in`;
    case 'socket-closed':
      return `closed socket ${event.local}: after a retransmission the server may answer twice, and a late copy must not pass for the next reply, so the next message leaves from a new socket (new port)`;
    case 'connecting':
      return `knocking on ${event.to}: the kernel sends SYN and waits for SYN-ACK (the three-way handshake)`;
    case 'connect-failed':
      return event.code === 'ECONNREFUSED'
        ? `${event.to} answered the SYN with RST: nothing listens on that port`
        : `could not connect to ${event.to} (${event.code})`;
    case 'connected':
      return `connection set up in ${formatMs(event.handshakeMs)} ms: our socket ${event.local} (the OS picked the port) <-> ${event.remote}. From now on bytes go into this connection, no address attached`;
    case 'send': {
      const { text, cut } = previewBytes(event.data);
      const shown = `"${text}"${cut ? '...' : ''}`;
      if (event.to !== undefined) {
        const attempt = (event.attempt ?? 1) > 1 ? ` (attempt ${event.attempt})` : '';
        return `message ${event.message}${attempt}: datagram of ${plural(event.bytes, 'byte')} to ${event.to}: ${shown}`;
      }
      return `message ${event.message}: ${plural(event.bytes, 'byte')} into the connection: ${shown} (${event.inFlight ?? 1} in flight)`;
    }
    case 'reply': {
      const { text, cut } = previewBytes(event.data);
      const shown = `"${text}"${cut ? '...' : ''}`;
      const rtt = `round trip ${formatMs(event.rttMs)} ms`;
      if (event.from !== undefined) {
        const ambiguous = (event.attempt ?? 1) > 1 ? ` since attempt ${event.attempt} (it may answer an earlier copy)` : '';
        return `reply to message ${event.message}: datagram of ${plural(event.bytes, 'byte')} from ${event.from}, ${rtt}${ambiguous}: ${shown}`;
      }
      return `reply to message ${event.message}: ${plural(event.bytes, 'byte')}, ${rtt}: ${shown} (${event.inFlight ?? 0} still in flight)`;
    }
    case 'retransmit':
      return `message ${event.message}: no reply within ${event.waitedMs} ms; sending it again (attempt ${event.attempt} of ${event.attempts}), now waiting ${event.nextWaitMs} ms`;
    case 'gave-up':
      return `message ${event.message}: no reply within ${event.waitedMs} ms to attempt ${event.attempts} of ${event.attempts}; giving up`;
    case 'ignored': {
      if (event.reason === 'empty-reply') {
        return `empty datagram from ${event.from} ignored: no server answers a non-empty message with nothing, a proxy relaying an ICMP error does; still waiting`;
      }
      const { text, cut } = previewBytes(event.data);
      return `datagram of ${plural(event.bytes, 'byte')} from ${event.from} ignored: no message is waiting for a reply (a late duplicate?): "${text}"${cut ? '...' : ''}`;
    }
    case 'refused':
      return `${event.to} answered with ICMP port unreachable: nothing listens on that port; ${event.next ? `trying ${event.next}` : 'giving up'}`;
    case 'half-close': {
      const owed = event.sent - event.received;
      return `no more messages: sent FIN (half-close); the server can still send, ${plural(owed, 'reply', 'replies')} owed`;
    }
    case 'peer-closed': {
      const how = event.how === 'end' ? 'closed its side (FIN)' : event.how === 'reset' ? 'reset the connection (RST)' : `connection lost (${event.how})`;
      return `the server ${how} after ${event.received} of ${plural(event.sent, 'reply', 'replies')}`;
    }
    case 'closed':
      return describeClose(event);
  }
}

function describeClose(event: Extract<ClientTraceEvent, { event: 'closed' }>): string {
  const replies = `after ${event.received} of ${plural(event.sent, 'reply', 'replies')}`;
  const how = (code: string): string => {
    switch (code) {
      case 'half-close':
        return 'it had no more messages (half-close)';
      case 'end':
        return `it sent FIN ${replies}`;
      case 'reset':
        return `it reset the connection (RST) ${replies}`;
      case 'gave-up':
        return `it gave up: ${event.error ?? 'no reply in time'}`;
      case 'done':
        return 'it was done';
      default:
        return `the connection was lost (${code}) ${replies}`;
    }
  };
  const text = `connection closed; the ${event.first} closed first: ${how(event.how)}`;
  switch (event.then) {
    case undefined:
      return text;
    case 'end':
      return event.how === 'half-close' && event.received >= event.sent
        ? `${text}; the server then answered what it owed and closed its side (FIN)`
        : `${text}; then the server sent FIN ${replies}`;
    case 'reset':
      return `${text}; then the server reset the connection (RST) ${replies}`;
    case 'gave-up':
      return `${text}; then the client gave up: ${event.error ?? 'no reply in time'}`;
    default:
      return `${text}; then the connection was lost (${event.then}) ${replies}`;
  }
}

function spread(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}
