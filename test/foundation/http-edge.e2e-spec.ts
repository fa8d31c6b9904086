import { spawn } from 'node:child_process';
import { callTool, connectHttp, connectSse } from '../support/mcp-clients';
import { openSseStream, rawRequest } from '../support/raw-http';
import { MAIN, serverEnv, SpawnedServer, spawnHttpServer, stopProcess } from '../support/server-process';

const STATIC_ENV = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'static-test-token' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const callWith = (args: string) => `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_tables","arguments":${args}}}`;

interface RpcError {
  jsonrpc: string;
  id: null;
  error: { code: number; message: string };
}

/** The HTTP edge of a single-user server: hostile bodies get JSON-RPC errors, routes match exactly, SSE sessions are capped. */
describe('HTTP edge limits (single-user server, SSE and Streamable HTTP)', () => {
  let server: SpawnedServer;

  beforeAll(async () => {
    server = await spawnHttpServer({ ...STATIC_ENV, MCP_TRANSPORT: 'sse,http' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (path: string, body: string) => rawRequest(server.url, 'POST', path, { body });
  const errorOf = (text: string) => JSON.parse(text) as RpcError;

  it('should answer a JSON-RPC error, not HTTP 500, for 100k nested arrays in arguments, on both transports, and keep serving', async () => {
    const http = await post('/mcp', callWith(`{"filter":${nested(100_000)}}`));
    const stream = await openSseStream(server.url);
    try {
      const sse = await post(`/messages?sessionId=${stream.sessionId}`, callWith(nested(100_000)));

      for (const res of [http, sse]) {
        expect(res.status).toBe(400);
        expect(errorOf(res.text)).toMatchObject({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32600, message: expect.stringContaining('deeper than 1,000 levels') },
        });
      }
    } finally {
      stream.close();
    }
    expect((await rawRequest(server.url, 'GET', '/healthz')).status).toBe(200);
    expect(server.stderr()).not.toContain('Maximum call stack');
  });

  it('should leave arguments nested just under the limit to the tool, which answers with a tool error', async () => {
    const res = await post('/mcp', callWith(`{"filter":${nested(990)}}`));

    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ id: 2, result: { isError: true } });
  });

  it('should answer invalid JSON with a JSON-RPC parse error (-32700) on both transports', async () => {
    const stream = await openSseStream(server.url);
    try {
      for (const res of [await post('/mcp', '{"jsonrpc":"2.0",'), await post(`/messages?sessionId=${stream.sessionId}`, '{nope}')]) {
        expect(res.status).toBe(400);
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(errorOf(res.text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
      }
    } finally {
      stream.close();
    }
  });

  it('should refuse a body over 4 MB and a batch over 32 messages with 413 and a JSON-RPC error', async () => {
    const big = await post('/mcp', callWith(`{"filter":"${'x'.repeat(4 * 1024 * 1024 + 1)}"}`));
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const batch = await post('/mcp', `[${Array(33).fill(ping).join(',')}]`);

    expect(big.status).toBe(413);
    expect(errorOf(big.text).error).toMatchObject({ code: -32600, message: expect.stringContaining('larger than 4 MB') });
    expect(batch.status).toBe(413);
    expect(errorOf(batch.text).error).toMatchObject({ code: -32600, message: expect.stringContaining('at most 32 messages') });
  });

  it('should route only the exact, lower-case paths', async () => {
    for (const path of ['/MCP', '/mcp/', '/Mcp', '//mcp']) {
      expect(`${path} ${(await post(path, JSON.stringify(INIT))).status}`).toBe(`${path} 404`);
    }
    expect((await post('/mcp', JSON.stringify(INIT))).status).toBe(200);
    // HEAD would run the SSE handler and hold a session that never answers.
    expect((await rawRequest(server.url, 'HEAD', '/sse')).status).toBe(405);
  });

  it('should cap open SSE sessions at 256 with 429, and accept new ones once they close', async () => {
    const held = [];
    for (let i = 0; i < 256; i++) held.push(await openSseStream(server.url));
    try {
      const over = await openSseStream(server.url);

      expect(held.every((h) => h.status === 200)).toBe(true);
      expect(over.status).toBe(429);
      expect(errorOf(over.body).error.message).toContain('Too many open SSE sessions on this server (limit 256)');
    } finally {
      held.forEach((h) => h.close());
    }
    let client;
    for (let i = 0; i < 50 && !client; i++) {
      client = await connectSse(server.url).catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)));
    }
    expect(client).toBeDefined();
    expect((await callTool(client!, 'sign_in')).isError).toBeFalsy();
    await client!.close();
    const http = await connectHttp(server.url);
    expect((await callTool(http, 'sign_in')).isError).toBeFalsy();
    await http.close();
  }, 60000);
});

describe('stdio: the same hostile arguments', () => {
  it('should answer 100k nested arrays with a clear error and keep serving (no HTTP-only debug line runs here)', async () => {
    const proc = spawn(process.execPath, [MAIN], { env: serverEnv({ ...STATIC_ENV, LOG_LEVEL: 'warn' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stdin.write(`${JSON.stringify(INIT)}\n${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    proc.stdin.write(`${callWith(`{"filter":${nested(100_000)}}`)}\n`);
    proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' })}\n`);
    try {
      const deadline = Date.now() + 15000;
      while (!stdout.includes('"id":3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const answers = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: number; result?: { isError?: boolean; content?: Array<{ text: string }>; tools?: unknown[] } });
      const call = answers.find((a) => a.id === 2);

      expect(call?.result?.isError).toBe(true);
      expect(answers.find((a) => a.id === 3)?.result?.tools).toBeDefined();
    } finally {
      await stopProcess(proc);
    }
  });
});
