import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp } from '../support/mcp-clients';
import { freePort, SpawnedServer, spawnHttpServer, spawnServerFor } from '../support/server-process';

type Page = { records: Array<Record<string, unknown>>; hasMore: boolean; nextCursor?: string };

/** Compact list_records/get_record answers through the real MCP SDK client: short cursors with a TTL. */
describe('compact results end to end', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { env: { CURSOR_TTL_SECONDS: '1' } });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should give a short cursor that pages, then expires after CURSOR_TTL_SECONDS', async () => {
    const first = (await callTool(client, 'list_records', { table: 'contact', select: 'fullname', top: 2 })).structuredContent as Page;
    const second = await callTool(client, 'list_records', { table: 'contact', cursor: first.nextCursor });
    const third = (second.structuredContent as Page).nextCursor!;
    await new Promise((r) => setTimeout(r, 1300));
    emulator.requestLog.clear();
    const late = await callTool(client, 'list_records', { table: 'contact', cursor: third });

    expect(first.nextCursor!.length).toBeLessThanOrEqual(128);
    expect(second.isError).toBeFalsy();
    expect((second.structuredContent as Page).records.map((r) => r.contactid)).not.toContain(first.records[0].contactid);
    expect(late.isError).toBe(true);
    expect(late.text).toBe('This page cursor expired (or is not yours); run the query again without cursor.');
    expect(emulator.requestLog.entries().filter((e) => e.url.includes('/contacts'))).toHaveLength(0);
  });

  it('should link every listed and read record to its form in the Dataverse app, and declare url in the output schema', async () => {
    const page = (await callTool(client, 'list_records', { table: 'contact', select: 'fullname', top: 3 })).structuredContent as Page;
    const id = String(page.records[0].contactid);
    const one = (await callTool(client, 'get_record', { table: 'contacts', id })).structuredContent as { record: Record<string, unknown> };
    const { tools } = await client.listTools();
    const listSchema = tools.find((t) => t.name === 'list_records')!.outputSchema as unknown as {
      properties: { records: { items: { properties: Record<string, unknown> } } };
    };

    for (const r of page.records)
      expect(r.url).toBe(`${emulator.url}/main.aspx?etn=contact&id=${String(r.contactid)}&pagetype=entityrecord`);
    expect(one.record.url).toBe(`${emulator.url}/main.aspx?etn=contact&id=${id}&pagetype=entityrecord`);
    expect(listSchema.properties.records.items.properties).toHaveProperty('url');
  });

  it('should give rows without labels that repeat the value, without empty annotations, and lookups once', async () => {
    const page = (
      await callTool(client, 'list_records', {
        table: 'contact',
        select: 'fullname,creditonhold,donotemail,numberofchildren,statuscode,parentcustomerid',
        top: 10,
      })
    ).structuredContent as Page;

    expect(page.records.length).toBeGreaterThan(0);
    expect(page.records.some((r) => typeof r.creditonhold === 'boolean')).toBe(true);
    expect(page.records.some((r) => typeof r.donotemail === 'boolean')).toBe(true);
    for (const r of page.records) {
      expect(r['creditonhold@label']).toBeUndefined();
      if (typeof r.donotemail === 'boolean') expect(r['donotemail@label']).toBe(r.donotemail ? 'Do Not Allow' : 'Allow');
      if (typeof r.numberofchildren === 'number') expect(r['numberofchildren@label']).toBeUndefined();
      expect(r['statuscode@label']).toEqual(expect.any(String));
      for (const [k, v] of Object.entries(r)) {
        expect({ k, v }).not.toEqual({ k, v: '' });
        expect(k).not.toMatch(/^_|@(?!label$)/);
      }
      if (r.parentcustomerid) expect(Object.keys(r.parentcustomerid as object).sort()).toEqual(['id', 'name', 'table']);
    }
  });
});

describe('record links in the sandbox', () => {
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    server = await spawnHttpServer({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('should give the sign-in URL once in the text and once in the data', async () => {
    const signIn = await callTool(client, 'sign_in');
    const data = signIn.structuredContent as { status: string; url: string; message: string };
    const count = (haystack: string) => haystack.split(data.url).length - 1;

    expect(data.status).toBe('pending');
    expect(count(signIn.text)).toBe(1);
    expect(count(JSON.stringify(data))).toBe(1);
    expect(data.message).toContain('the url');
    expect((await fetch(data.url, { redirect: 'follow' })).status).toBe(200);
    expect((await callTool(client, 'sign_in')).structuredContent).toMatchObject({ status: 'signed_in' });
  });

  it('should link records to the sandbox record viewer', async () => {
    const page = (await callTool(client, 'list_records', { table: 'contact', select: 'fullname', top: 2 })).structuredContent as Page;
    const id = String(page.records[0].contactid);
    const one = (await callTool(client, 'get_record', { table: 'contact', id })).structuredContent as { record: Record<string, unknown> };

    expect(page.records[0].url).toBe(`${server.url}/sandbox/contact/${id}`);
    expect(one.record.url).toBe(`${server.url}/sandbox/contact/${id}`);
    expect((await fetch(String(one.record.url))).status).toBe(200);
  });
});
