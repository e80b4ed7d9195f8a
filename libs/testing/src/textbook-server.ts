import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port';
import { textbookScript } from './paths';

export interface TextbookServer {
  process: ChildProcess;
  port: number;
}

/**
 * Starts the seed's own server (a Python 3 port in tools/textbook) and resolves once it says
 * it is ready. The script takes a fixed port and binds every IPv4 interface, so a port free
 * right now is chosen, and one more is tried should something else take it first.
 */
export function startTextbookServer(kind: 'TCPServer' | 'UDPServer'): Promise<TextbookServer> {
  return launch(kind).catch(() => launch(kind));
}

async function launch(kind: 'TCPServer' | 'UDPServer'): Promise<TextbookServer> {
  const port = await freePort();
  const child = spawn('python3', [textbookScript(kind), String(port)], {
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (output += text));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind}.py not ready within 15 s: ${output}`));
    }, 15_000);
    child.stdout.on('data', (text: string) => {
      output += text;
      if (output.includes('The server is ready to receive')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind}.py exited (${code}): ${output}`));
    });
  });
  return { process: child, port };
}
