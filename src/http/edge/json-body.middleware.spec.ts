import express from 'express';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createJsonBody } from './json-body.middleware';

describe('createJsonBody (the edge JSON parser)', () => {
  let server: Server;
  let url: string;
  let reached: unknown[];

  beforeAll(async () => {
    const app = express();
    app.use(createJsonBody({ maxBytes: 64 * 1024, maxDepth: 8, maxItems: 1000, maxBatch: 4 }));
    app.post('/mcp', (req, res) => {
      reached.push(req.body);
      res.json({ ok: true });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/mcp`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    reached = [];
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const errorOf = async (res: Response) => (await res.json()) as { jsonrpc: string; id: null; error: { code: number; message: string } };

  it('should hand a JSON body within the limits to the route', async () => {
    const res = await post('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":[[1]]}}');

    expect(res.status).toBe(200);
    expect(reached).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping', params: { a: [[1]] } }]);
  });

  it('should answer a JSON-RPC parse error (-32700), not the framework error page, when the body is not JSON', async () => {
    for (const body of ['{bad', '{"a":1}}', '{"a":"open', '"just a string"', '{"a":nope}']) {
      const res = await post(body);

      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const error = await errorOf(res);
      expect(error).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
      expect(error.error.message).toContain('not valid JSON');
    }
    expect(reached).toEqual([]);
  });

  it('should refuse nesting deeper than the limit before parsing, with a JSON-RPC error naming the limit', async () => {
    const res = await post(`{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`);

    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.error).toMatchObject({ code: -32600 });
    expect(error.error.message).toContain('deeper than 8 levels');
    expect(reached).toEqual([]);
  });

  it('should refuse a body over the size limit (also once decompressed) with 413 and a JSON-RPC error', async () => {
    const big = `{"a":"${'x'.repeat(70 * 1024)}"}`;
    const plain = await post(big);
    const gzipped = await post(gzipSync(big), { 'content-encoding': 'gzip' });

    for (const res of [plain, gzipped]) {
      expect(res.status).toBe(413);
      expect((await errorOf(res)).error).toMatchObject({ code: -32600, message: expect.stringContaining('larger than 0.1 MB') });
    }
    expect(reached).toEqual([]);
  });

  it('should refuse a batch with more messages than the limit, and a body with more values than the limit', async () => {
    const msg = '{"jsonrpc":"2.0","method":"ping","id":1}';
    const ok = await post(`[${[msg, msg, msg, msg].join(',')}]`);
    const batch = await post(`[${[msg, msg, msg, msg, msg].join(',')}]`);
    const values = await post(`{"a":[${'1,'.repeat(1000)}1]}`);

    expect(ok.status).toBe(200);
    expect(batch.status).toBe(413);
    expect((await errorOf(batch)).error).toMatchObject({ code: -32600, message: expect.stringContaining('at most 4 messages') });
    expect(values.status).toBe(413);
    expect((await errorOf(values)).error.message).toContain('more than 1,000 values');
    expect(reached).toHaveLength(1);
  });

  it('should check bodies sent with any JSON content type, and refuse charsets other than UTF-8', async () => {
    const deep = `{"a":${'['.repeat(20)}${']'.repeat(20)}}`;
    const vendor = await post(deep, { 'content-type': 'application/vnd.api+json' });
    const utf16 = await post(Buffer.from('{"a":1}', 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' });

    expect(vendor.status).toBe(400);
    expect(utf16.status).toBe(415);
    expect((await errorOf(utf16)).error.code).toBe(-32600);
    expect(reached).toEqual([]);
  });
});
