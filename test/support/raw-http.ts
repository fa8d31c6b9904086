import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, or its first chunk for a stream (then closed). */
  text: string;
}

/**
 * One HTTP request with the path sent exactly as given (no URL normalisation, unlike fetch), for testing
 * how the server reads unusual spellings. A streaming answer (SSE) resolves with its first chunk, and the
 * connection is closed.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...options.headers },
      },
      (res) => {
        const done = (text: string) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
          req.destroy();
        };
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.once('data', (chunk: Buffer) => done(chunk.toString()));
          return;
        }
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(text));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Holds an SSE stream open until `close()`: its session id, from the `endpoint` event. */
export function openSseStream(
  baseUrl: string,
  headers: Record<string, string> = {},
  path = '/sse',
): Promise<{ status: number; sessionId?: string; body: string; close(): void }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'GET', path, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const close = () => req.destroy();
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, close }));
        return;
      }
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /sessionId=([\w-]+)/.exec(text);
        if (match) resolve({ status: 200, sessionId: match[1], body: text, close });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
