export interface ProtocolCounts {
  /** Messages (TCP) or datagrams (UDP) sent and owed a reply. */
  sent: number;
  /** Replies that arrived whole and matched the model. */
  answered: number;
  mismatches: number;
  errors: number;
  /** UDP: datagrams unanswered within the timeout. TCP: replies owed when a connection failed. */
  lost: number;
  /** Sent but not judged, because a pause ran too close to the flush interval to say what is owed. */
  skipped: number;
}

export interface Counters {
  tcp: ProtocolCounts;
  udp: ProtocolCounts;
  connects: number;
  resets: number;
  idleCloses: number;
  gracefulCloses: number;
  flushes: number;
  /** The first problems, in words, for the summary. */
  problems: string[];
}

const emptyProtocol = (): ProtocolCounts => ({ sent: 0, answered: 0, mismatches: 0, errors: 0, lost: 0, skipped: 0 });

export function emptyCounters(): Counters {
  return { tcp: emptyProtocol(), udp: emptyProtocol(), connects: 0, resets: 0, idleCloses: 0, gracefulCloses: 0, flushes: 0, problems: [] };
}

const MAX_PROBLEMS = 20;

export function noteProblem(counters: Counters, text: string): void {
  if (counters.problems.length < MAX_PROBLEMS) counters.problems.push(text);
}
