import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '@sockets/logging';
import { LineDecoder } from '@sockets/wire-codec';

/** The seed's prompt, kept word for word. */
export const PROMPT = 'Input lowercase sentence: ';

/** What both clients are given to talk to their user, beside where the server is. */
export interface ClientIo {
  /** The words of the command line: when there are any, they are the message. */
  words: string[];
  stdin: Readable & { isTTY?: boolean };
  /** Replies, and nothing else, so the client composes in pipes. */
  stdout: Writable;
  /** Where the interactive prompt and the trace go. */
  stderr: Writable;
  logger: Logger;
}

/**
 * How a client gets its messages: the words on its command line, sentences typed at a prompt,
 * or the lines of a pipe or file.
 */
export type InputMode = 'words' | 'interactive' | 'piped';

export function chooseInputMode(words: readonly string[], stdin: { isTTY?: boolean }): InputMode {
  if (words.length > 0) return 'words';
  return stdin.isTTY ? 'interactive' : 'piped';
}

/**
 * The lines of a byte stream, without their terminators, as bytes: input that is not UTF-8
 * reaches the server as it was. A last line without a newline is still a line.
 */
export async function* readLines(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const parts: Buffer[] = [];
  const lines: Buffer[] = [];
  const decoder = new LineDecoder({
    onFragment: (src, start, end) => parts.push(Buffer.from(src.subarray(start, end))),
    onEnd: () => lines.push(Buffer.concat(parts.splice(0))),
  });
  for await (const chunk of input) {
    decoder.push(chunk);
    yield* lines.splice(0);
  }
  decoder.flush();
  yield* lines.splice(0);
}

/**
 * Sentences typed at a terminal. The prompt goes to `output` (stderr), so stdout carries only
 * replies; it is shown again once the caller has printed the reply and asks for the next line.
 * Ends at Ctrl-D, which ends the prompt's line too, so the shell's prompt starts on a line of
 * its own; Ctrl-C ends the program, as it would at any other prompt.
 */
export async function* promptLines(input: Readable, output: Writable, prompt = PROMPT): AsyncGenerator<Buffer> {
  const rl = createInterface({ input, output, prompt, terminal: true });
  rl.on('SIGINT', () => {
    output.write('\n');
    rl.close();
    process.kill(process.pid, 'SIGINT');
  });
  try {
    rl.prompt();
    for await (const line of rl) {
      yield Buffer.from(line, 'utf8');
      rl.prompt();
    }
    output.write('\n');
  } finally {
    rl.close();
  }
}
