import type { Writable } from 'node:stream';
import { createClientTrace, describeEvent, formatMs, plural, previewBytes, Tally, type ClientTrace, type ClientTraceEvent } from './client-trace';

/**
 * A client's exchange as a Mermaid sequence diagram (`--diagram`), drawn from the same events
 * as the text trace and written on stderr once the exchange is over: the client and the server
 * as participants, the handshake where there is one, each message and reply with its text and
 * size, retransmissions and timeouts, and how it ended. GitHub and most editors render it; the
 * textbook draws the same pictures (figures 2.28 and 2.29 of its section 2.7).
 */
export class DiagramWriter implements ClientTrace {
  readonly enabled = true;
  private readonly origin = performance.now();
  private readonly steps: string[] = [];
  private readonly tally: Tally;
  private client: string | undefined;
  private server: string | undefined;
  private drawn = false;

  constructor(
    private readonly output: Writable,
    private readonly protocol: 'udp' | 'tcp',
  ) {
    this.tally = new Tally(protocol);
  }

  now(): number {
    return performance.now() - this.origin;
  }

  emit(event: ClientTraceEvent): void {
    this.tally.count(event);
    const step = (line: string): void => {
      this.steps.push(`    ${line}`);
    };
    const note = (over: 'C' | 'S' | 'C,S', text: string): void => step(`Note over ${over}: ${escape(clauses(text))}`);
    switch (event.event) {
      case 'resolve':
        // An address given as one needs no picture; a name the resolver answered does.
        if (event.addresses.length !== 1 || event.addresses[0] !== event.host) note('C', describeEvent(event));
        break;
      case 'socket':
        this.client ??= event.local;
        this.server ??= event.remote;
        note('C', `UDP socket ${event.local}, for ${event.remote}. No handshake: the first datagram is the first packet`);
        break;
      case 'socket-closed':
        note('C', `closes socket ${event.local}, so a late copy of the reply cannot pass for the next one: the next message leaves from a new port`);
        break;
      case 'connecting':
        this.server ??= event.to;
        step(`C->>S: SYN (to ${escape(event.to)})`);
        break;
      case 'connect-failed':
        if (event.code === 'ECONNREFUSED') step(`S--xC: RST: nothing listens on ${escape(event.to)}`);
        else note('C', `could not connect to ${event.to} (${event.code})`);
        break;
      case 'connected':
        this.client ??= event.local;
        this.server = event.remote;
        step('S->>C: SYN-ACK');
        step('C->>S: ACK');
        note('C,S', `TCP connection from ${event.local} to ${event.remote}, set up in ${formatMs(event.handshakeMs)} ms. From now on, bytes with no address`);
        break;
      case 'send': {
        this.server ??= event.to;
        const attempt = (event.attempt ?? 1) > 1 ? `, attempt ${event.attempt}` : '';
        const what = event.to === undefined ? '' : 'datagram ';
        step(`C->>S: message ${event.message}${attempt}: ${what}${quoted(event.data)} (${plural(event.bytes, 'byte')})`);
        break;
      }
      case 'reply': {
        const copy = (event.attempt ?? 1) > 1 ? `, to attempt ${event.attempt} or an earlier copy` : '';
        const what = event.from === undefined ? '' : 'datagram ';
        step(`S->>C: reply ${event.message}: ${what}${quoted(event.data)} (${plural(event.bytes, 'byte')}, round trip ${formatMs(event.rttMs)} ms${copy})`);
        break;
      }
      case 'retransmit':
        note('C', `no reply within ${event.waitedMs} ms: message ${event.message} again (attempt ${event.attempt} of ${event.attempts}), now waiting ${event.nextWaitMs} ms`);
        break;
      case 'gave-up':
        note('C', `no reply within ${event.waitedMs} ms to attempt ${event.attempts} of ${event.attempts}: gives up`);
        break;
      case 'ignored':
        step(`S-->>C: ${quoted(event.data)} (${plural(event.bytes, 'byte')}), ignored: ${event.reason === 'empty-reply' ? 'an empty datagram answers no message' : 'no message waits for a reply'}`);
        break;
      case 'refused':
        step(`S--xC: ICMP port unreachable: nothing listens on ${escape(event.to)}${event.next ? `, trying ${escape(event.next)}` : ''}`);
        break;
      case 'half-close':
        step(`C->>S: FIN: no more messages (${plural(event.sent - event.received, 'reply', 'replies')} owed)`);
        break;
      case 'peer-closed':
        if (event.how === 'end') step(`S->>C: FIN (after ${event.received} of ${plural(event.sent, 'reply', 'replies')})`);
        else if (event.how === 'reset') step(`S-xC: RST (after ${event.received} of ${plural(event.sent, 'reply', 'replies')})`);
        else note('C,S', `connection lost (${event.how}) after ${event.received} of ${plural(event.sent, 'reply', 'replies')}`);
        break;
      case 'closed':
        note('C,S', describeEvent(event));
        break;
    }
  }

  /** Draws the diagram, once: at the end, when every participant is known. */
  summary(): void {
    if (this.drawn) return;
    this.drawn = true;
    const lines = [
      'sequenceDiagram',
      `    participant C as ${this.protocol.toUpperCase()} client${this.client ? ` ${escape(this.client)}` : ''}`,
      `    participant S as ${this.protocol.toUpperCase()} server${this.server ? ` ${escape(this.server)}` : ''}`,
      ...this.steps,
      `    Note over C,S: ${escape(clauses(this.tally.text()))}`,
    ];
    this.output.write(`${lines.join('\n')}\n`);
  }
}

/** The trace's clauses, which it parts with semicolons, parted with commas: a diagram reads better without entities. */
function clauses(text: string): string {
  return text.replaceAll('; ', ', ');
}

/** A message's first bytes as the trace shows them, quoted, safe in a diagram's line. */
function quoted(data: Buffer): string {
  const { text, cut } = previewBytes(data);
  return `"${escape(text)}"${cut ? '...' : ''}`;
}

/**
 * Text safe on one line of a Mermaid diagram: `#` starts an entity there, `;` ends a statement,
 * and `<` `>` would be read as HTML. Each becomes its entity.
 */
export function escape(text: string): string {
  return text.replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** The view of an exchange a client's flags ask for: a trace (`text`, `json`), a `diagram`, or none. */
export type ClientView = 'text' | 'json' | 'diagram';

/** The writer of the view asked for; one that writes nothing when none is. */
export function createClientView(view: ClientView | undefined, output: Writable, protocol: 'udp' | 'tcp'): ClientTrace {
  if (view === 'diagram') return new DiagramWriter(output, protocol);
  return createClientTrace({ format: view, output, protocol });
}
