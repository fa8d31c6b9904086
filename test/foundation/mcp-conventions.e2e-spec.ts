import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp, connectSse, connectStdio } from '../support/mcp-clients';
import { startRedis, TestRedis } from '../support/redis-server';
import { freePort, SpawnedServer, spawnHttpServer, spawnServerFor } from '../support/server-process';

/**
 * What the MCP conformance suite's server scenarios check (server-initialize, ping, tools-list, logging-set-level,
 * dns-rebinding-protection), against the built server in sandbox mode, with the SDK client: the suite's own CLI
 * needs Node 22 and this server supports Node 20. Then the notifications/message this server sends.
 */
function collect(client: Client): LoggingMessageNotification['params'][] {
  const seen: LoggingMessageNotification['params'][] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    seen.push(n.params);
  });
  return seen;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

describe('MCP conventions in sandbox mode (the conformance server scenarios)', () => {
  let server: SpawnedServer;
  let clients: Array<[string, Client]>;
  beforeAll(async () => {
    server = await spawnHttpServer({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
    clients = [
      ['SSE', await connectSse(server.url)],
      ['Streamable HTTP', await connectHttp(server.url)],
    ];
  });
  afterAll(async () => {
    for (const [, c] of clients ?? []) await c.close();
    await server?.stop();
  });

  it('server-initialize: should answer initialize with server info, tools and logging capabilities', () => {
    for (const [, client] of clients) {
      expect(client.getServerVersion()).toMatchObject({ name: 'dataverse-mcp', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      expect(client.getServerCapabilities()).toMatchObject({ tools: expect.any(Object), logging: {} });
      expect(client.getInstructions()).toEqual(expect.any(String));
    }
  });

  it('ping: should answer ping with an empty result', async () => {
    for (const [, client] of clients) await expect(client.ping()).resolves.toEqual({});
  });

  it('tools-list: should list tools with a name, a description and an object input schema', async () => {
    for (const [, client] of clients) {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(5);
      for (const tool of tools) {
        expect(tool).toMatchObject({ name: expect.stringMatching(/^[a-z_]+$/), description: expect.any(String) });
        expect(tool.inputSchema.type).toBe('object');
      }
    }
  });

  it('logging-set-level: should accept logging/setLevel with an empty result', async () => {
    for (const [, client] of clients) {
      await expect(client.setLoggingLevel('warning')).resolves.toEqual({});
      await expect(client.setLoggingLevel('debug')).resolves.toEqual({});
    }
  });

  it('dns-rebinding-protection: should refuse a foreign Host or Origin with 403 and accept its own', async () => {
    const port = new URL(server.url).port;
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'rebinding', version: '1' } },
    });
    // node:http, not fetch: fetch does not let a caller set Host.
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = request(
          `${server.url}/mcp`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        req.on('error', reject);
        req.end(init);
      });

    expect((await post({ host: `evil.example:${port}` })).status).toBe(403);
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await post({})).status).toBe(200);
  });
});

describe('notifications/message for what a person should see', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let seen: LoggingMessageNotification['params'][];
  let token: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    token = emulator.issueToken();
    server = await spawnServerFor(emulator, { logLevel: 'warn', env: { MCP_TRANSPORT: 'sse', DATAVERSE_ACCESS_TOKEN: token } });
    client = await connectSse(server.url);
    seen = collect(client);
  });
  beforeEach(() => {
    emulator.controls.reset();
    seen.length = 0;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should tell the client over SSE that Dataverse throttles and how long the server waits, at level warning', async () => {
    await client.setLoggingLevel('warning');
    emulator.controls.set({ throttle: { first: 1, retryAfterSeconds: 1 } });

    const result = await callTool(client, 'list_records', { table: 'account', select: 'name', top: 2 });

    expect(result.isError).toBeFalsy();
    await until(() => seen.length > 0);
    expect(seen).toEqual([
      {
        level: 'warning',
        logger: 'dataverse-mcp',
        data: 'Dataverse is throttling requests (service protection limits): waiting 1 s before retrying.',
      },
    ]);
    const names = (result.structuredContent as { records: Array<{ name: string }> }).records.map((r) => r.name);
    for (const n of seen) {
      expect(JSON.stringify(n)).not.toContain(token.slice(0, 20));
      for (const name of names) expect(JSON.stringify(n)).not.toContain(name);
    }
  });

  it('should send nothing below the level the client asked for', async () => {
    await client.setLoggingLevel('error');
    emulator.controls.set({ throttle: { first: 1, retryAfterSeconds: 1 } });

    const result = await callTool(client, 'list_records', { table: 'account', select: 'name', top: 1 });
    await client.ping();

    expect(result.isError).toBeFalsy();
    expect(emulator.requestLog.entries().some((e) => e.status === 429)).toBe(true);
    expect(seen).toEqual([]);
  });

  it('should not send one session the throttling of another session', async () => {
    await client.setLoggingLevel('warning');
    const other = await connectSse(server.url);
    try {
      emulator.controls.set({ throttle: { first: 1, retryAfterSeconds: 1 } });
      const result = await callTool(other, 'list_records', { table: 'account', select: 'name', top: 1 });
      await client.ping();

      expect(result.isError).toBeFalsy();
      expect(seen).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('notifications/message over stdio when Redis goes away and comes back', () => {
  let emulator: EmulatorHandle;
  let redis: TestRedis;
  beforeAll(async () => {
    emulator = await startEmulator();
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    await emulator?.close();
  });

  it('should warn every session once when Redis is unreachable and say when it is back', async () => {
    const { client } = await connectStdio({
      DATAVERSE_URL: emulator.url,
      DATAVERSE_ACCESS_TOKEN: emulator.issueToken(),
      REDIS_URL: redis.url,
      LOG_LEVEL: 'warn',
    });
    const seen = collect(client);
    try {
      await client.setLoggingLevel('info');
      expect((await callTool(client, 'get_my_identity')).isError).toBeFalsy();

      await redis.stop();
      expect((await callTool(client, 'list_tables', { filter: 'acc' })).isError).toBeFalsy();
      await until(() => seen.some((m) => m.level === 'warning'));
      expect(seen.filter((m) => m.level === 'warning')).toEqual([
        expect.objectContaining({
          level: 'warning',
          data: expect.stringMatching(/^Redis is unreachable: reading straight from Dataverse/),
        }),
      ]);

      await redis.start();
      await until(() => seen.some((m) => m.level === 'info'), 15000);
      expect(seen.filter((m) => m.level === 'info')).toEqual([
        expect.objectContaining({ level: 'info', data: 'Redis is reachable again: caching and deletes resume.' }),
      ]);
    } finally {
      await client.close();
    }
  });
});
