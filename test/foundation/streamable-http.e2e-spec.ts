import { connectHttp, connectSse } from '../support/mcp-clients';
import { SpawnedServer, spawnHttpServer } from '../support/server-process';

const STATIC_ENV = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'static-test-token' };
const ACCEPT = 'application/json, text/event-stream';
const INIT_PARAMS = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } };

interface Exchange {
  status: number;
  contentType: string | null;
  body: unknown;
}

/**
 * `/mcp` is answered by the server's own stateless dispatcher (src/mcp/dispatch), not by an MCP server per request:
 * these pin the protocol it speaks to what the SDK's stateless transport and server answer, case by case, and the
 * tool list and server description to what the SDK server gives over SSE.
 */
describe('Streamable HTTP (stateless, JSON answers)', () => {
  let server: SpawnedServer;

  beforeAll(async () => {
    server = await spawnHttpServer({ ...STATIC_ENV, MCP_TRANSPORT: 'sse,http' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function send(body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Exchange> {
    const res = await fetch(`${server.url}/mcp`, {
      method,
      headers: { accept: ACCEPT, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type'), body: text ? (JSON.parse(text) as unknown) : '' };
  }
  const errorOf = (e: Exchange) => (e.body as { error: { code: number; message: string } }).error;

  it('should describe the server and list the tools exactly as the SDK server does over SSE', async () => {
    const http = await connectHttp(server.url);
    const sse = await connectSse(server.url);
    try {
      expect(http.getServerVersion()).toEqual(sse.getServerVersion());
      expect(http.getServerCapabilities()).toEqual(sse.getServerCapabilities());
      expect(http.getInstructions()).toEqual(sse.getInstructions());
      const [overHttp, overSse] = await Promise.all([http.listTools(), sse.listTools()]);
      expect(overHttp.tools.length).toBeGreaterThan(10);
      expect(JSON.stringify(overHttp)).toBe(JSON.stringify(overSse));
    } finally {
      await http.close();
      await sse.close();
    }
  });

  it('should negotiate the protocol version as the SDK does and carry no session', async () => {
    const known = await send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS });
    const unknown = await send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { ...INIT_PARAMS, protocolVersion: '1999-01-01' } });

    expect(known.status).toBe(200);
    expect((known.body as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-06-18');
    expect((unknown.body as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-11-25');
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { accept: ACCEPT, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS }),
    });
    expect(res.headers.get('mcp-session-id')).toBeNull();
  });

  it('should answer a batch in order, one object for a single request, and 202 for notifications only', async () => {
    const batch = await send([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'sign_in', arguments: {} } },
    ]);
    const single = await send([
      { jsonrpc: '2.0', id: 7, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
    const notification = await send({ jsonrpc: '2.0', method: 'notifications/initialized' });

    expect(batch.status).toBe(200);
    const answers = batch.body as Array<{ id: unknown; result: { content?: Array<{ text: string }> } }>;
    expect(answers.map((a) => a.id)).toEqual([1, 'b']);
    expect(answers[1].result.content?.[0].text).toContain('No sign-in needed');
    expect(single.body).toEqual({ result: {}, jsonrpc: '2.0', id: 7 });
    expect(notification.status).toBe(202);
    expect(notification.body).toBe('');
  });

  it('should give the SDK error codes and messages for requests it cannot serve', async () => {
    const unknownMethod = await send({ jsonrpc: '2.0', id: 3, method: 'resources/list' });
    const unknownTool = await send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'nope', arguments: {} } });
    const noName = await send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { arguments: {} } });
    const badLevel = await send({ jsonrpc: '2.0', id: 6, method: 'logging/setLevel', params: { level: 'loud' } });
    const badArgs = await send({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'list_records', arguments: { table: 5 } } });

    expect(unknownMethod.body).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } });
    expect(errorOf(unknownTool)).toEqual({ code: -32601, message: 'MCP error -32601: Unknown tool: nope' });
    expect(errorOf(noName).code).toBe(-32603);
    expect(errorOf(noName).message).toContain('"name"');
    expect(errorOf(badLevel).code).toBe(-32603);
    expect((badArgs.body as { result: unknown }).result).toEqual({
      content: [{ type: 'text', text: 'Invalid parameters: [table]: Invalid input: expected string, received number' }],
      isError: true,
    });
  });

  it('should refuse at the HTTP level what the SDK transport refuses, with its statuses', async () => {
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    const cases: Array<[Exchange, number, number, string]> = [
      [await send(ping, { accept: 'application/json' }), 406, -32000, 'Not Acceptable'],
      [await send(JSON.stringify(ping), { 'content-type': 'text/plain' }), 415, -32000, 'Unsupported Media Type'],
      [await send({ hello: 1 }), 400, -32700, 'Parse error: Invalid JSON-RPC message'],
      [await send({ jsonrpc: '2.0', id: null, method: 'ping' }), 400, -32700, 'Parse error: Invalid JSON-RPC message'],
      [await send([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS }, ping]), 400, -32600, 'Only one initialization'],
      [await send(ping, { 'mcp-protocol-version': '1999-01-01' }), 400, -32000, 'Unsupported protocol version: 1999-01-01'],
      [await send(undefined, {}, 'GET'), 405, -32000, 'Method not allowed in stateless mode'],
      [await send(undefined, {}, 'DELETE'), 405, -32000, 'Method not allowed in stateless mode'],
    ];
    for (const [exchange, status, code, message] of cases) {
      expect({ status: exchange.status, code: errorOf(exchange).code }).toEqual({ status, code });
      expect(errorOf(exchange).message).toContain(message);
      expect(exchange.contentType).toMatch(/^application\/json/);
    }
    expect((await send(ping, { 'mcp-protocol-version': '2025-06-18' })).body).toEqual({ result: {}, jsonrpc: '2.0', id: 1 });
  });

  it('should leave a warning line for a refused request: method, path and status, never the query or the headers', async () => {
    const before = server.stderr().length;
    const res = await fetch(`${server.url}/mcp?token=query-secret`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: 'Bearer header-secret' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(406);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const found = server
        .stderr()
        .slice(before)
        .split('\n')
        .find((l) => l.includes('"statusCode":406'));
      line = found ? (JSON.parse(found) as Record<string, unknown>) : undefined;
    }
    expect(line).toMatchObject({ level: 40, req: { method: 'POST', url: '/mcp' }, statusCode: 406 });
    expect(String(line?.msg)).toContain('Not Acceptable');
    expect(server.stderr()).not.toContain('secret');
  });
});
