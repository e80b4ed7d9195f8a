import type { Writable } from 'node:stream';

const NEWLINE = Buffer.from('\n');

/**
 * Stop-and-wait: each message is sent only once the previous one is answered, so replies come
 * out in the order of the messages, one per line, the reply bytes as they arrived.
 */
export async function exchangeAll(
  messages: Iterable<Buffer> | AsyncIterable<Buffer>,
  request: (message: Buffer) => Promise<Buffer>,
  out: Writable,
): Promise<number> {
  let answered = 0;
  for await (const message of messages) {
    const reply = await request(message);
    out.write(reply);
    if (!out.write(NEWLINE)) await new Promise((resolve) => out.once('drain', resolve));
    answered++;
  }
  return answered;
}
