import { request } from 'node:http';

export interface HttpResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

/**
 * One GET on its own connection (no keep-alive, so no idle socket holds the server's close
 * open), failing after `timeoutMs` instead of hanging a test.
 */
export function httpGet(port: number, path: string, options: { host?: string; timeoutMs?: number } = {}): Promise<HttpResponse> {
  const { host = '127.0.0.1', timeoutMs = 5000 } = options;
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body });
      });
      response.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new Error(`GET http://${host}:${port}${path}: no response within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', fail);
    req.end();

    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
  });
}
