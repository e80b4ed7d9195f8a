import { PassThrough } from 'node:stream';
import { promptLines, readLines, PROMPT } from '@sockets/runtime';
import { exchangeAll } from './udp-client';

const upper = async (message: Buffer) => Buffer.from(message.toString('utf8').toUpperCase(), 'utf8');

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('exchangeAll', () => {
  it('prints one reply per message, in order, each on its own line', async () => {
    const out = sink();
    const answered = await exchangeAll([Buffer.from('a'), Buffer.alloc(0), Buffer.from('c d')], upper, out.stream);
    expect(answered).toBe(3);
    expect(out.text()).toBe('A\n\nC D\n');
  });

  it('sends the next message only once the previous one is answered', async () => {
    const order: string[] = [];
    const slowFirst = async (message: Buffer) => {
      order.push(`send ${message}`);
      if (message.toString() === 'first') await new Promise((resolve) => setTimeout(resolve, 30));
      order.push(`reply ${message}`);
      return message;
    };
    const input = new PassThrough();
    input.end('first\nsecond\n');
    await exchangeAll(readLines(input), slowFirst, sink().stream);
    expect(order).toEqual(['send first', 'reply first', 'send second', 'reply second']);
  });

  it('stops at the first failed request, after printing the replies before it', async () => {
    const out = sink();
    const failOnBoom = async (message: Buffer) => {
      if (message.toString() === 'boom') throw new Error('no reply');
      return upper(message);
    };
    await expect(exchangeAll([Buffer.from('ok'), Buffer.from('boom'), Buffer.from('never')], failOnBoom, out.stream)).rejects.toThrow('no reply');
    expect(out.text()).toBe('OK\n');
  });

  it('drives an interactive session at a (fake) terminal: prompt, reply, prompt again, until Ctrl-D', async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => terminal });
    const prompts = sink();
    const out = sink();
    const session = exchangeAll(promptLines(terminal, prompts.stream), upper, out.stream);
    terminal.write('hello there\r');
    await waitFor(() => out.text() === 'HELLO THERE\n');
    terminal.write('and again\r');
    await waitFor(() => out.text() === 'HELLO THERE\nAND AGAIN\n');
    terminal.write('\x04');
    expect(await session).toBe(2);
    expect(prompts.text().split(PROMPT.trim()).length - 1).toBe(3);
  });
});

async function waitFor(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(ready()).toBe(true);
}
