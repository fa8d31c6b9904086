import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auditingOffMessage, missingPrivilegeMessage } from '../../src/dataverse/history/audit-messages';
import { NOTE_TEXT_MAX } from '../../src/dataverse/notes/notes.service';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { SAMPLE_CSV, SAMPLE_PNG_BASE64 } from '../../src/sandbox/notes/seed-notes';
import { ATTACHMENT_HINT } from '../../src/tools/notes/record-notes';
import { callTool, connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';

type Note = { id: string; subject?: string; text?: string; fileName?: string; mimeType?: string; fileSize?: number; createdOn?: string };
type Change = {
  changedOn?: string;
  changedBy?: { id: string; name?: string };
  operation?: string;
  fields: Array<{ field: string; label: string; oldValue: unknown; newValue: unknown }>;
};

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/** Notes (get_record include, create_record on annotation, files) and get_record_history, through the real SDK client. */
describe('notes and record history end to end (Streamable HTTP)', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let contosoId: string;

  const firstId = async (table: string, filter: string, key: string) => {
    const r = await callTool(client, 'list_records', { table, filter, select: [key], top: 1 });
    return ((r.structuredContent as { records: Array<Record<string, string>> }).records[0] ?? {})[key];
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator);
    client = await connectHttp(server.url);
    contosoId = await firstId('account', "name eq 'Contoso Ltd'", 'accountid');
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });
  afterEach(() => emulator.audit.set({ enabled: true, disabledTables: [], deniedPrivileges: [] }));

  it('should show the polymorphic objectid lookup of annotation with a navigation name per table', async () => {
    const result = await callTool(client, 'get_table_schema', { table: 'annotation' });
    const fields = (result.structuredContent as { fields: Array<{ name: string; to?: Record<string, string> }> }).fields;

    expect(fields.find((f) => f.name === 'objectid')?.to).toMatchObject({
      account: 'objectid_account',
      contact: 'objectid_contact',
      lead: 'objectid_lead',
      opportunity: 'objectid_opportunity',
    });
  });

  it('should list the notes of a record newest first, with the files named and long text cut with a marker', async () => {
    const result = await callTool(client, 'get_record', { table: 'account', id: contosoId, select: ['name'], include: ['notes'] });
    const data = result.structuredContent as { record: { name: string }; notes: Note[] };

    expect(result.isError).toBeFalsy();
    expect(data.record.name).toBe('Contoso Ltd');
    expect(data.notes.map((n) => n.subject)).toEqual(['Meeting notes', 'Logo', 'Forecast', 'Kick-off call']);
    const times = data.notes.map((n) => Date.parse(n.createdOn!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(data.notes[0].createdOn).toMatch(LOCAL_TIME);
    expect(data.notes[1]).toMatchObject({
      fileName: 'logo.png',
      mimeType: 'image/png',
      fileSize: Buffer.from(SAMPLE_PNG_BASE64, 'base64').length,
    });
    expect(data.notes[2]).toMatchObject({ fileName: 'forecast.csv', mimeType: 'text/csv', fileSize: SAMPLE_CSV.length });
    expect(data.notes[0].text).toContain(`[cut at ${NOTE_TEXT_MAX} of `);
    expect(data.notes[0].text).toContain(`get_record table "annotation", id "${data.notes[0].id}", select ["notetext"]`);
    expect(data.notes[3]).toMatchObject({ createdBy: { id: emulator.sandboxUserId, name: 'Sandbox User' } });
  });

  it('should add a note with the friendly objectid form, bound through objectid_<table> to the right record', async () => {
    emulator.requestLog.clear();
    const created = await callTool(client, 'create_record', {
      table: 'annotation',
      data: { subject: 'Call summary', notetext: 'Asked for a revised quote.', objectid: { table: 'account', id: contosoId } },
    });
    const id = (created.structuredContent as { id: string }).id;
    const post = emulator.requestLog.entries().find((e) => e.method === 'POST' && e.url.includes('/annotations'));
    const stored = emulator.store.get('annotations', id)!;
    const listed = await callTool(client, 'get_record', { table: 'account', id: contosoId, select: ['name'], include: ['notes'] });

    expect(created.isError).toBeFalsy();
    expect(post?.body).toMatchObject({ 'objectid_account@odata.bind': `/accounts(${contosoId})` });
    expect(stored).toMatchObject({ _objectid_value: contosoId, objecttypecode: 'account', isdocument: false });
    expect((listed.structuredContent as { notes: Note[] }).notes[0]).toMatchObject({ id, subject: 'Call summary' });
  });

  it('should read a text attachment as text and a binary one as an embedded resource', async () => {
    const notes = (
      (await callTool(client, 'get_record', { table: 'account', id: contosoId, select: ['name'], include: ['notes'] }))
        .structuredContent as {
        notes: Note[];
      }
    ).notes;
    const csvId = notes.find((n) => n.fileName === 'forecast.csv')!.id;
    const pngId = notes.find((n) => n.fileName === 'logo.png')!.id;

    const csv = await callTool(client, 'get_record', { table: 'annotation', id: csvId, select: ['documentbody'] });
    const png = await callTool(client, 'get_record', { table: 'annotations', id: pngId, select: 'documentbody' });

    expect(csv.isError).toBeFalsy();
    expect((csv.structuredContent as { record: Record<string, unknown> }).record).toMatchObject({
      filename: 'forecast.csv',
      mimetype: 'text/csv',
      documentbody: SAMPLE_CSV,
    });
    expect(png.isError).toBeFalsy();
    expect(png.content).toContainEqual({
      type: 'resource',
      resource: { uri: expect.stringContaining(pngId), mimeType: 'image/png', blob: SAMPLE_PNG_BASE64 },
    });
    expect((png.structuredContent as { record: Record<string, unknown> }).record).not.toHaveProperty('documentbody');
  });

  it('should refuse a file over the size cap with its size, without downloading it', async () => {
    const big = Buffer.alloc(1_200_000, 7).toString('base64');
    const res = await fetch(`${emulator.apiUrl}annotations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${emulator.issueToken()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        subject: 'Scan',
        filename: 'scan.bin',
        mimetype: 'application/octet-stream',
        documentbody: big,
        'objectid_account@odata.bind': `/accounts(${contosoId})`,
      }),
    });
    const id = /\(([0-9a-f-]{36})\)/.exec(res.headers.get('odata-entityid') ?? '')![1];
    emulator.requestLog.clear();

    const result = await callTool(client, 'get_record', { table: 'annotation', id, select: ['documentbody'] });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('"scan.bin"');
    expect(result.text).toContain('is 1,200,000 bytes; files up to 1,048,576 bytes (1 MB) can be read here');
    expect(emulator.requestLog.entries().some((e) => e.url.includes('documentbody'))).toBe(false);
  });

  it('should show two updates newest first with old and new values, labels and local times', async () => {
    const contactId = await firstId('contact', "lastname ne 'x'", 'contactid');
    const before = (await callTool(client, 'get_record', { table: 'contact', id: contactId, select: ['telephone1'] }))
      .structuredContent as {
      record: { telephone1?: string };
    };
    await callTool(client, 'update_record', { table: 'contact', id: contactId, data: { telephone1: '+1 206 555 0199' } });
    await callTool(client, 'update_record', {
      table: 'contact',
      id: contactId,
      data: { preferredcontactmethodcode: 2, jobtitle: 'Buyer' },
    });

    const result = await callTool(client, 'get_record_history', { table: 'contact', id: contactId, top: 2 });
    const changes = (result.structuredContent as { changes: Change[] }).changes;

    expect(result.isError).toBeFalsy();
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({ operation: 'Update', changedBy: { id: emulator.sandboxUserId, name: 'Sandbox User' } });
    expect(changes[0].changedOn).toMatch(LOCAL_TIME);
    expect(changes[0].fields).toEqual(
      expect.arrayContaining([
        { field: 'preferredcontactmethodcode', label: 'Preferred Method of Contact', oldValue: expect.anything(), newValue: 'Email' },
        { field: 'jobtitle', label: expect.any(String), oldValue: expect.anything(), newValue: 'Buyer' },
      ]),
    );
    expect(changes[1].fields).toEqual([
      { field: 'telephone1', label: expect.any(String), oldValue: before.record.telephone1 ?? null, newValue: '+1 206 555 0199' },
    ]);
    expect(Date.parse(changes[0].changedOn!)).toBeGreaterThanOrEqual(Date.parse(changes[1].changedOn!));
  });

  it('should show the seeded history of Contoso Ltd with choice labels, newest first', async () => {
    const result = await callTool(client, 'get_record_history', { table: 'accounts', id: contosoId });
    const changes = (result.structuredContent as { changes: Change[] }).changes;

    expect(changes.map((c) => c.operation)).toEqual(['Update', 'Update', 'Create']);
    const industry = changes[0].fields.find((f) => f.field === 'industrycode')!;
    expect(industry).toMatchObject({ label: 'Industry', oldValue: expect.any(String), newValue: expect.any(String) });
    expect(typeof industry.oldValue === 'string' && /^\d+$/.test(industry.oldValue)).toBe(false);
    expect(changes[2].changedBy).toMatchObject({ name: 'Sandbox User' });
  });

  it('should say exactly which switch is off when auditing is off for the environment or the table', async () => {
    emulator.audit.set({ enabled: false });
    const contact = await callTool(client, 'create_record', { table: 'contact', data: { lastname: 'Unaudited' } });
    const envOff = await callTool(client, 'get_record_history', { table: 'contact', id: (contact.structuredContent as { id: string }).id });

    emulator.audit.set({ enabled: true, disabledTables: ['lead'] });
    const lead = await callTool(client, 'create_record', { table: 'lead', data: { lastname: 'Quiet', subject: 'No audit' } });
    const tableOff = await callTool(client, 'get_record_history', { table: 'lead', id: (lead.structuredContent as { id: string }).id });

    expect(envOff.isError).toBe(true);
    expect(envOff.text).toBe(auditingOffMessage('contact', { environment: false }));
    expect(tableOff.isError).toBe(true);
    expect(tableOff.text).toBe(auditingOffMessage('lead', { table: false }));
  });

  it('should name the missing privilege for audit history', async () => {
    emulator.audit.set({ deniedPrivileges: ['prvReadRecordAuditHistory'] });

    const result = await callTool(client, 'get_record_history', { table: 'account', id: contosoId });

    expect(result.isError).toBe(true);
    expect(result.text).toBe(missingPrivilegeMessage('prvReadRecordAuditHistory'));
  });

  it('should keep get_record_history within 700 model-visible characters and include within 200 of get_record', async () => {
    const { tools } = await client.listTools();
    const visible = (t: { name: string; description?: string; inputSchema: unknown }) =>
      t.name.length + (t.description ?? '').length + JSON.stringify(t.inputSchema).length;
    const history = tools.find((t) => t.name === 'get_record_history')!;
    const getRecord = tools.find((t) => t.name === 'get_record')!;
    const schema = getRecord.inputSchema as { properties: Record<string, unknown> };
    const { include, ...withoutInclude } = schema.properties;
    const base = {
      name: getRecord.name,
      description: getRecord.description!.replace(` ${ATTACHMENT_HINT}`, ''),
      inputSchema: { ...schema, properties: withoutInclude },
    };

    expect(include).toBeDefined();
    expect(visible(history)).toBeLessThanOrEqual(700);
    expect(visible(getRecord) - visible(base)).toBeLessThanOrEqual(200);
  });
});
