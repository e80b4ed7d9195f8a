/** What went wrong where, for the report. */
export interface Mismatch {
  /** Offset of the first wrong byte within the reply it belongs to. */
  offset: number;
  expected: string;
  received: string;
}

interface Owed {
  expected: Buffer;
  received: number;
  messages: number;
}

/** Hex of a few bytes around `at`, so a report shows the context of a difference. */
function around(bytes: Buffer, at: number): string {
  return bytes.subarray(Math.max(0, at - 8), at + 8).toString('hex');
}

/**
 * The replies a TCP connection still owes, in order, checked byte for byte as they arrive in
 * chunks cut anywhere: the server's segments need not match the client's writes.
 */
export class ReplyChecker {
  private readonly owed: Owed[] = [];
  private owedMessages = 0;

  /** Queues one payload's replies; returns how many messages that answers at once (an empty reply is due at once). */
  expect(expected: Buffer, messages: number): number {
    if (expected.length === 0 && this.owed.length === 0) return messages;
    this.owed.push({ expected, received: 0, messages });
    this.owedMessages += messages;
    return 0;
  }

  /** Messages not yet answered in full. */
  get owedCount(): number {
    return this.owedMessages;
  }

  get done(): boolean {
    return this.owed.length === 0;
  }

  /** Checks the next received bytes; returns the messages answered, or the first difference. */
  receive(chunk: Buffer): { answered: number; mismatch?: Mismatch } {
    let answered = 0;
    let at = 0;
    while (at < chunk.length || (this.owed.length > 0 && this.owed[0].received === this.owed[0].expected.length)) {
      const head = this.owed[0];
      if (!head) {
        return { answered, mismatch: { offset: 0, expected: '(nothing owed)', received: around(chunk, at) } };
      }
      const take = Math.min(head.expected.length - head.received, chunk.length - at);
      const want = head.expected.subarray(head.received, head.received + take);
      const got = chunk.subarray(at, at + take);
      if (!want.equals(got)) {
        let k = 0;
        while (want[k] === got[k]) k++;
        const offset = head.received + k;
        return { answered, mismatch: { offset, expected: around(head.expected, offset), received: around(chunk, at + k) } };
      }
      head.received += take;
      at += take;
      if (head.received === head.expected.length) {
        this.owed.shift();
        this.owedMessages -= head.messages;
        answered += head.messages;
      }
    }
    return { answered };
  }
}
