import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectSse } from '../support/mcp-clients';
import { spawnServerFor, SpawnedServer } from '../support/server-process';
import { callTool, connectServer, EmulatorHandle, StdioSession, startEmulator } from '../write/write-support';

/** create_records / update_records end to end: the built server and the real SDK client, against the emulator's $batch. */
describe('create_records / update_records', () => {
  let emulator: EmulatorHandle;
  let session: StdioSession;

  beforeAll(async () => {
    emulator = await startEmulator({ controlApi: true });
    session = await connectServer({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });
  beforeEach(() => {
    emulator.requestLog.clear();
    emulator.controls.reset();
  });

  const batches = () => emulator.requestLog.entries().filter((e) => e.url.endsWith('/$batch'));
  const tagged = (tag: string) => emulator.store.count('contacts', (r) => r.lastname === tag);

  it('should create 50 contacts in one $batch, all present, ids in input order', async () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ firstname: `Row${i}`, lastname: 'Bulk50' }));

    const result = await callTool(session.client, 'create_records', { table: 'contact', records });

    expect(result.isError).toBeFalsy();
    const { table, ids } = result.structuredContent as { table: string; ids: string[] };
    expect(table).toBe('contact');
    expect(ids).toHaveLength(50);
    ids.forEach((id, i) => expect(emulator.store.get('contacts', id)).toMatchObject({ firstname: `Row${i}`, lastname: 'Bulk50' }));
    expect(new Set(ids).size).toBe(50);
    expect(batches()).toHaveLength(1);
    expect(batches()[0].headers.contentType).toMatch(/^multipart\/mixed; boundary="batch_/);
    expect(emulator.requestLog.entries().filter((e) => e.method === 'POST')).toHaveLength(1);
  });

  it('should send nothing when one of 20 rows is bad, naming the row and the problem', async () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ firstname: `R${i}`, lastname: 'Bulk20' }));
    records[13] = { firstname: 'R13', lastname: 'Bulk20', emailadress1: 'x@y.z' } as (typeof records)[number];

    const result = await callTool(session.client, 'create_records', { table: 'contact', records });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Nothing was created: 1 of 20 rows/);
    expect(result.text).toContain('records[13]: Field "emailadress1" does not exist on contact. Did you mean "emailaddress1"');
    expect(batches()).toHaveLength(0);
    expect(tagged('Bulk20')).toBe(0);
  });

  it('should list the problems of several rows, each by index, and a missing required field', async () => {
    const result = await callTool(session.client, 'create_records', {
      table: 'contact',
      records: [{ lastname: 'Ok' }, { firstname: 'No last name' }, { lastname: 'Ok', numberofchildren: 'many' }],
    });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('2 of 3 rows');
    expect(result.text).toMatch(/records\[1\]: contact needs lastname/);
    expect(result.text).toMatch(/records\[2\]: numberofchildren is a number/);
    expect(result.text).not.toContain('records[0]');
  });

  it('should roll back the whole change set when the service refuses one row, and name that row', async () => {
    const missingAccount = '0badc0de-0000-4000-8000-000000000001';
    const records = Array.from({ length: 10 }, (_, i) => ({ firstname: `S${i}`, lastname: 'BulkRollback' }));
    (records[6] as Record<string, unknown>).parentcustomerid = { table: 'account', id: missingAccount };

    const result = await callTool(session.client, 'create_records', { table: 'contact', records });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('Dataverse refused records[6]');
    expect(result.text).toContain(`account ${missingAccount}`);
    expect(result.text).toContain('rolled back, so nothing was written');
    expect(batches()).toHaveLength(1);
    expect(batches()[0].status).toBe(400);
    expect(tagged('BulkRollback')).toBe(0);
  });

  it('should update all rows with If-Match: * and refuse the lot when one id does not exist', async () => {
    const created = await callTool(session.client, 'create_records', {
      table: 'contact',
      records: [1, 2, 3].map((i) => ({ firstname: `U${i}`, lastname: 'BulkUpdate' })),
    });
    const ids = (created.structuredContent as { ids: string[] }).ids;
    emulator.requestLog.clear();

    const ok = await callTool(session.client, 'update_records', {
      table: 'contacts',
      updates: ids.map((id, i) => ({ id, data: { jobtitle: `Title ${i}` } })),
    });
    expect(ok.isError).toBeFalsy();
    expect((ok.structuredContent as { ids: string[] }).ids).toEqual(ids);
    ids.forEach((id, i) => expect(emulator.store.get('contacts', id)?.jobtitle).toBe(`Title ${i}`));

    const ghost = '0badc0de-0000-4000-8000-000000000002';
    const refused = await callTool(session.client, 'update_records', {
      table: 'contact',
      updates: [
        { id: ids[0], data: { jobtitle: 'Changed' } },
        { id: ghost, data: { jobtitle: 'Ghost' } },
      ],
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain(`Dataverse refused updates[1]: no contact with id ${ghost} exists`);
    expect(emulator.store.get('contacts', ids[0])?.jobtitle).toBe('Title 0');
    expect(emulator.store.get('contacts', ghost)).toBeUndefined();
  });

  it("should take zone-less times of every row in the user's zone (Europe/Berlin), each with its date's offset", async () => {
    const result = await callTool(session.client, 'create_records', {
      table: 'appointment',
      records: [
        { subject: 'Bulk summer', scheduledstart: '2026-07-01T09:00' },
        { subject: 'Bulk winter', scheduledstart: '2026-12-01T09:00' },
      ],
    });

    expect(result.isError).toBeFalsy();
    const [summer, winter] = (result.structuredContent as { ids: string[] }).ids;
    expect(emulator.store.get('appointments', summer)?.scheduledstart).toBe('2026-07-01T07:00:00Z');
    expect(emulator.store.get('appointments', winter)?.scheduledstart).toBe('2026-12-01T08:00:00Z');
    expect(result.text).toContain(
      '2 date-times without an offset taken in Europe/Berlin, e.g. scheduledstart 2026-07-01T09:00 Europe/Berlin +02:00 = 2026-07-01T07:00:00Z.',
    );
  });

  it('should refuse duplicate ids and bad ids in an update by row', async () => {
    const id = '0badc0de-0000-4000-8000-000000000003';
    const result = await callTool(session.client, 'update_records', {
      table: 'contact',
      updates: [
        { id, data: { jobtitle: 'a' } },
        { id: 'nope', data: { jobtitle: 'b' } },
        { id, data: { jobtitle: 'c' } },
      ],
    });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/updates\[1\]: id must be the GUID/);
    expect(result.text).toMatch(/updates\[2\]: the same contact .* is already changed by row 0/);
    expect(batches()).toHaveLength(0);
  });

  it('should say the change set may have been applied when the connection drops, without telling to try again', async () => {
    emulator.controls.set({ dropConnections: { count: 1, methods: ['POST'] } });

    const result = await callTool(session.client, 'create_records', { table: 'contact', records: [{ lastname: 'BulkDropped' }] });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('may have been applied');
    expect(result.text).toContain('list_records');
    expect(result.text).not.toMatch(/try again/i);
  });
});

describe('create_records progress (SSE)', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { env: { MCP_TRANSPORT: 'sse' } });
    client = await connectSse(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should send increasing progress notifications up to done when the client asks for progress', async () => {
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const records = Array.from({ length: 250 }, (_, i) => ({ firstname: `P${i}`, lastname: 'BulkProgress' }));

    const result = (await client.callTool({ name: 'create_records', arguments: { table: 'contact', records } }, undefined, {
      onprogress: (p) => seen.push(p),
      timeout: 60_000,
    })) as CallToolResult;

    expect(result.isError).toBeFalsy();
    expect(emulator.store.count('contacts', (r) => r.lastname === 'BulkProgress')).toBe(250);
    // The client may drop the last notification when it arrives just before the result.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.map((p) => p.progress)).toEqual([...seen.map((p) => p.progress)].sort((a, b) => a - b));
    expect(seen[0]).toMatchObject({ progress: 100, total: 252, message: '100 of 250 rows checked' });
    expect(seen.some((p) => p.message === '250 rows checked; sending one change set')).toBe(true);
  });
});
