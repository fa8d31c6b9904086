import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp, connectStdio } from '../support/mcp-clients';
import { startRedis, TestRedis } from '../support/redis-server';
import { SpawnedServer, spawnServerFor } from '../support/server-process';

/** Every read tool through the real MCP SDK client, against the emulator, with a real Redis cache. */
describe('read tools end to end (Streamable HTTP, Redis)', () => {
  let emulator: EmulatorHandle;
  let redis: TestRedis;
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    redis = await startRedis();
    server = await spawnServerFor(emulator, { redisUrl: redis.url });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await redis?.stop();
    await emulator?.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  it('should report Redis in the readiness probe', async () => {
    const res = await fetch(`${server.url}/readyz`);

    expect(await res.json()).toMatchObject({ ready: true, checks: { redis: 'ok' } });
  });

  it('should return the identity with a time zone', async () => {
    const result = await callTool(client, 'get_my_identity');

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      userId: emulator.sandboxUserId,
      fullName: 'Sandbox User',
      businessUnitName: 'sandbox',
      timeZone: { windowsName: 'W. Europe Standard Time', ianaId: 'Europe/Berlin', utcOffset: expect.stringMatching(/^\+0[12]:00$/) },
    });
  });

  it('should list tables with a filter', async () => {
    const result = await callTool(client, 'list_tables', { filter: 'opport' });

    expect(result.structuredContent).toEqual({
      tables: [
        {
          logicalName: 'opportunity',
          displayName: 'Opportunity',
          entitySetName: 'opportunities',
          primaryNameAttribute: 'name',
          primaryIdAttribute: 'opportunityid',
        },
      ],
      total: 1,
      truncated: false,
    });
  });

  it('should describe a schema and answer the second call from Redis without Dataverse requests', async () => {
    const first = await callTool(client, 'get_table_schema', { table: 'contacts' });
    emulator.requestLog.clear();
    const second = await callTool(client, 'get_table_schema', { table: 'contact' });

    expect(first.isError).toBeFalsy();
    expect(second.structuredContent).toEqual(first.structuredContent);
    expect(emulator.requestLog.entries()).toHaveLength(0);
    const keys = (await redis.command('KEYS', 'mcp:*')) as string[];
    expect(keys).toEqual(expect.arrayContaining([expect.stringMatching(/^mcp:127\.0\.0\.1:\d+:static-[0-9a-f]{16}:schema:contact$/)]));
  });

  it('should list records with labels, named lookups and a working cursor', async () => {
    const page1 = await callTool(client, 'list_records', {
      table: 'contacts',
      select: ['fullname', 'parentcustomerid', 'statuscode'],
      top: 5,
      orderby: 'fullname',
    });
    const data1 = page1.structuredContent as { records: Array<Record<string, unknown>>; hasMore: boolean; nextCursor: string };

    expect(data1.records).toHaveLength(5);
    expect(data1.records[0]).toMatchObject({
      contactid: expect.any(String),
      statuscode: expect.any(Number),
      'statuscode@label': expect.any(String),
    });
    expect(data1.records.some((r) => (r.parentcustomerid as { table?: string } | null)?.table === 'account')).toBe(true);
    expect(page1.text).not.toContain('@odata');
    expect(data1.hasMore).toBe(true);

    const page2 = await callTool(client, 'list_records', { table: 'contacts', cursor: data1.nextCursor });
    const data2 = page2.structuredContent as { records: Array<Record<string, unknown>> };
    expect(data2.records).toHaveLength(5);
    expect(data2.records[0].contactid).not.toBe(data1.records[0].contactid);
  });

  it('should say when nothing matched and explain a bad filter', async () => {
    const none = await callTool(client, 'list_records', { table: 'account', filter: "name eq 'No Such Company'" });
    expect(none.text).toMatch(/^No account records matched the filter\./);

    const bad = await callTool(client, 'list_records', { table: 'account', filter: 'name eqq 1' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/could not apply the filter: .*Valid syntax, for example/);
  });

  it('should keep a hostile filter inside one $filter value', async () => {
    await callTool(client, 'list_records', { table: 'account', filter: "name eq 'a&$top=1%26$select=name#'", select: '*' });

    const [entry] = emulator.requestLog.entries();
    const query = new URLSearchParams(entry.url.slice(entry.url.indexOf('?') + 1));
    expect([...query.keys()]).toEqual(['$filter']);
    expect(query.get('$filter')).toBe("name eq 'a&$top=1%26$select=name#'");
  });

  it('should read one record and name an unknown field', async () => {
    const list = await callTool(client, 'list_records', { table: 'account', select: 'name', top: 1 });
    const [account] = (list.structuredContent as { records: Array<{ accountid: string; name: string }> }).records;

    const one = await callTool(client, 'get_record', { table: 'account', id: account.accountid, select: 'name,Revenue' });
    expect(one.isError).toBe(true);
    expect(one.text).toBe(
      'select names a field that does not exist on account: "Revenue" (Did you mean "revenue"?). ' +
        'Field names are lowercase logical names; call get_table_schema with table "account" to see them.',
    );

    const ok = await callTool(client, 'get_record', { table: 'accounts', id: account.accountid, select: 'name,revenue' });
    expect(ok.structuredContent).toMatchObject({
      table: 'account',
      id: account.accountid,
      record: { accountid: account.accountid, name: account.name },
    });
  });

  it('should suggest a table for a typo and refuse a malformed id before calling Dataverse', async () => {
    const typo = await callTool(client, 'get_record', { table: 'acount', id: '00000000-0000-0000-0000-000000000001' });
    expect(typo.isError).toBe(true);
    expect(typo.text).toMatch(/Did you mean account \(accounts\)/);

    emulator.requestLog.clear();
    const badId = await callTool(client, 'get_record', { table: 'account', id: "1' or 1 eq 1" });
    expect(badId.text).toMatch(/not a valid id/);
    expect(emulator.requestLog.entries()).toHaveLength(0);
  });

  it('should refresh the schema cache', async () => {
    await callTool(client, 'get_table_schema', { table: 'account' });
    const result = await callTool(client, 'refresh_schema_cache', {});

    expect(result.structuredContent).toEqual({ refreshed: 'all' });
    const keys = (await redis.command('KEYS', 'mcp:*')) as string[];
    expect(keys.filter((k) => k.includes(':schema:') || k.endsWith(':tables'))).toEqual([]);
  });

  it('should write one audit event per call with user, table, outcome and request ids but no filter', async () => {
    await callTool(client, 'list_records', { table: 'lead', filter: "subject eq 'secret-value-123'", top: 1 });
    await new Promise((r) => setTimeout(r, 100));

    const events = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"audit":true'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const event = events.filter((e) => e.tool === 'list_records' && e.table === 'lead').at(-1);
    expect(event).toMatchObject({
      category: 'read',
      outcome: 'ok',
      userId: expect.stringMatching(/^static-/),
      durationMs: expect.any(Number),
      dataverseRequestIds: expect.any(Array),
    });
    expect(server.stderr()).not.toContain('secret-value-123');

    await callTool(client, 'list_records', { table: 'lead', filter: "subject eqq 'secret-value-456'" });
    await new Promise((r) => setTimeout(r, 100));
    const failedLine = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"audit":true') && l.includes('"outcome":"error"'))
      .at(-1);
    expect(JSON.parse(failedLine!)).toMatchObject({ tool: 'list_records', errorKind: 'invalid_input', dataverseErrorKind: 'bad_filter' });
    expect(failedLine).not.toContain('secret-value-456');
  });
});

describe('read tools end to end (stdio, read-only, no Redis)', () => {
  it('should expose and answer the read tools with DATAVERSE_READ_ONLY=true', async () => {
    const emulator = await startEmulator();
    const { client } = await connectStdio({
      DATAVERSE_URL: emulator.url,
      DATAVERSE_ACCESS_TOKEN: emulator.issueToken(),
      DATAVERSE_READ_ONLY: 'true',
    });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'get_my_identity',
          'list_tables',
          'get_table_schema',
          'refresh_schema_cache',
          'list_records',
          'get_record',
          'search_records',
        ]),
      );

      const result = await callTool(client, 'get_table_schema', { table: 'appointment' });
      expect(result.structuredContent).toMatchObject({
        logicalName: 'appointment',
        activityParties: expect.stringContaining('appointment_activity_parties'),
      });
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});
