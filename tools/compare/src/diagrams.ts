import { freePort, runProgram, startServer, type RunningServer } from '@sockets/testing';

/** One exchange the page draws: which client, against what, with which words or input. */
interface Scenario {
  name: string;
  client: 'tcp-client' | 'udp-client';
  /** The server it talks to: a flag list for a fresh one, or none for a port nothing listens on. */
  server?: string[];
  args: string[];
  input?: string;
}

/** The exchanges of docs/COMPARE.md, in the order the page shows them. */
export const SCENARIOS: Scenario[] = [
  { name: 'one-message-tcp', client: 'tcp-client', server: [], args: ['hello'] },
  { name: 'one-message-udp', client: 'udp-client', server: [], args: ['hello'] },
  { name: 'three-messages-tcp', client: 'tcp-client', server: [], args: [], input: 'one\ntwo\nthree\n' },
  { name: 'three-messages-udp', client: 'udp-client', server: [], args: [], input: 'one\ntwo\nthree\n' },
  { name: 'lost-datagram-udp', client: 'udp-client', server: ['--drop-rate', '0.5'], args: ['--timeout-ms', '500', 'hello'] },
  { name: 'nothing-listening-tcp', client: 'tcp-client', args: ['hello'] },
  { name: 'nothing-listening-udp', client: 'udp-client', args: ['hello'] },
];

/** The port the page shows for the server: the textbook's. */
const SHOWN_SERVER_PORT = 12000;
/** Where the page's client ports start: the OS picks others on each run. */
const SHOWN_CLIENT_PORT = 50001;

/**
 * Runs a scenario with the built programs on loopback and returns the client's `--diagram`,
 * with the ports of this run replaced by the page's: the server's by 12000, the client's
 * (a new one per socket) by 50001, 50002, ... in order of appearance.
 */
export async function draw(scenario: Scenario): Promise<string> {
  const protocol = scenario.client === 'tcp-client' ? 'tcp' : 'udp';
  let server: RunningServer | undefined;
  try {
    if (scenario.server) server = await startServer(`${protocol}-server`, scenario.server);
    const port = server?.port ?? (await freePort());
    const result = await runProgram(scenario.client, ['--host', '127.0.0.1', '--port', String(port), '--diagram', ...scenario.args], { input: scenario.input });
    const start = result.stderr.indexOf('sequenceDiagram');
    if (start === -1) throw new Error(`${scenario.name}: no diagram; stderr: ${result.stderr}`);
    // The diagram, without the error line a failed exchange ends with.
    const diagram = result.stderr.slice(start).split('\n').filter((line) => line === 'sequenceDiagram' || line.startsWith('    ')).join('\n');
    return showPorts(diagram, port);
  } finally {
    await server?.stop();
  }
}

function showPorts(diagram: string, serverPort: number): string {
  const clientPorts = new Map<string, number>();
  return diagram.replace(/127\.0\.0\.1:(\d+)/g, (_, port: string) => {
    if (Number(port) === serverPort) return `127.0.0.1:${SHOWN_SERVER_PORT}`;
    if (!clientPorts.has(port)) clientPorts.set(port, SHOWN_CLIENT_PORT + clientPorts.size);
    return `127.0.0.1:${clientPorts.get(port)}`;
  });
}

/** Where a diagram sits on the page: between these two lines, in a mermaid block. */
export function markers(name: string): { begin: string; end: string } {
  return { begin: `<!-- diagram ${name}: drawn by npx nx run compare:run, do not edit -->`, end: `<!-- end of diagram ${name} -->` };
}

/** The page with each diagram's block replaced; throws if a scenario's markers are missing. */
export function withDiagrams(page: string, diagrams: Map<string, string>): string {
  let out = page;
  for (const [name, diagram] of diagrams) {
    const { begin, end } = markers(name);
    const from = out.indexOf(begin);
    const to = out.indexOf(end);
    if (from === -1 || to < from) throw new Error(`docs/COMPARE.md has no markers for ${name}`);
    out = `${out.slice(0, from + begin.length)}\n\`\`\`mermaid\n${diagram}\n\`\`\`\n${out.slice(to)}`;
  }
  return out;
}

/** The diagrams the page holds now, by name. */
export function diagramsOf(page: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const { name } of SCENARIOS) {
    const { begin, end } = markers(name);
    const block = page.slice(page.indexOf(begin) + begin.length, page.indexOf(end));
    found.set(name, block.replace(/^\s*```mermaid\n/, '').replace(/\n```\s*$/, ''));
  }
  return found;
}

/**
 * What must agree between the page and a fresh run: every line, with the times (which no two
 * runs share) set aside. Sorted, because a pipelined reply may overtake the client's FIN on one
 * run and not on the next; the first three lines, the participants, are kept in place.
 */
export function comparable(diagram: string): string[] {
  const lines = diagram.split('\n').map((line) =>
    line.replace(/round trip min [\d.]+ \/ median [\d.]+ \/ max [\d.]+ ms/g, 'round trip min / median / max N ms').replace(/\d+(\.\d+)? ms/g, 'N ms'),
  );
  return [...lines.slice(0, 3), ...lines.slice(3).sort()];
}
