import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AttemptTimeout, HttpExchange } from './http-exchange';
import { RESPONSE_LIMITS } from './response/read-body';

describe('HttpExchange', () => {
  let server: Server;
  let url: URL;
  let handle: (req: IncomingMessage, body: string, res: ServerResponse) => void;
  const closed: string[] = [];
  const exchange = new HttpExchange({ maxSockets: 4, responseLimits: RESPONSE_LIMITS });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => handle(req, body, res));
      req.socket.once('close', () => closed.push(req.url ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/data/v9.2/`);
  });
  afterAll(async () => {
    await exchange.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should send the method, path, headers and body, and read status, headers (lowercase) and text', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    handle = (req, body, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'OData-EntityId': 'x(1)', 'Content-Type': 'application/json' }).end('{"ok":✓}');
    };
    const payload = Buffer.from('{"name":"Ünïcode"}');
    const res = await exchange.send(
      new URL('contacts?$top=1', url),
      'POST',
      { Accept: 'application/json', 'Content-Length': 99, 'X-N': 7 },
      payload,
      5000,
    );

    expect(seen).toMatchObject({ method: 'POST', url: '/api/data/v9.2/contacts?$top=1', body: '{"name":"Ünïcode"}' });
    // Content-Length is the body's own, whatever the caller wrote; other values go as text.
    expect(seen.headers).toMatchObject({ 'content-length': String(payload.length), 'x-n': '7', accept: 'application/json' });
    expect(res).toMatchObject({ status: 201, text: '{"ok":✓}' });
    expect(res.headers['odata-entityid']).toBe('x(1)');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('should inflate a gzip answer', async () => {
    handle = (_req, _body, res) => res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync('{"value":[]}'));
    expect((await exchange.send(new URL('gz', url), 'GET', {}, undefined, 5000)).text).toBe('{"value":[]}');
  });

  it("should report a connection dropped before the answer with node's code", async () => {
    handle = (req) => req.socket.destroy();
    await expect(exchange.send(new URL('drop', url), 'GET', {}, undefined, 5000)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('should end an attempt at its timeout and close its connection', async () => {
    handle = () => undefined; // never answers
    const started = Date.now();
    await expect(exchange.send(new URL('slow', url), 'GET', {}, undefined, 200)).rejects.toBeInstanceOf(AttemptTimeout);
    expect(Date.now() - started).toBeLessThan(2000);
    for (let i = 0; i < 100 && !closed.includes('/api/data/v9.2/slow'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toContain('/api/data/v9.2/slow');
  });

  it('should stop a response over the size limit and say so', async () => {
    const small = new HttpExchange({ maxSockets: 1, responseLimits: { maxRawBytes: 1024, maxDecodedBytes: 1024 } });
    handle = (_req, _body, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(4096, 0x20));
      // The rest never comes: the reader must not wait for it.
    };
    try {
      await expect(small.send(new URL('big', url), 'GET', {}, undefined, 5000)).resolves.toMatchObject({
        problem: 'too_large',
        limitBytes: 1024,
      });
    } finally {
      await small.close();
    }
  });

  it('should open a new pool after close', async () => {
    const other = new HttpExchange({ maxSockets: 1, responseLimits: RESPONSE_LIMITS });
    handle = (_req, _body, res) => res.end('{}');
    await other.send(new URL('a', url), 'GET', {}, undefined, 5000);
    await other.close();
    await expect(other.send(new URL('b', url), 'GET', {}, undefined, 5000)).resolves.toMatchObject({ status: 200, text: '{}' });
    await other.close();
  });
});
