import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp } from '../support/mcp-clients';
import { spawnHttpServer, SpawnedServer, spawnServerFor } from '../support/server-process';

/** Tables outside the scope below, with their entity sets: no request may name them. */
const OUTSIDE: Array<[string, string]> = [
  ['account', 'accounts'],
  ['lead', 'leads'],
  ['systemuser', 'systemusers'],
  ['team', 'teams'],
  ['businessunit', 'businessunits'],
];
const SCOPE = 'contact, opportunity,appointment,annotation,cr8a1_project,lead,nosuch_table';
const REFUSED = (table: string) => `Table "${table}" is outside this server's scope`;
const ID = '00000000-0000-0000-0000-00000000abcd';

type Row = Record<string, unknown>;

/** Every path of the table scope through the real SDK client; the emulator's request log shows what was asked. */
describe('table scope end to end (Streamable HTTP)', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let accountId: string;
  let contactId: string;

  /** The server's own identity (get_my_identity, the user's clock): systemuser and business unit of the signed-in user. */
  const identityRead = (url: string) =>
    /^\/api\/data\/v9\.2\/(systemusers\([0-9a-f-]{36}\)\?\$select=fullname,domainname|businessunits\([0-9a-f-]{36}\)\?\$select=name)$/.test(
      url,
    );
  /** Requests that name an out-of-scope table (path, query or body); `allow` exempts some (delete impact counts). */
  const outOfScopeRequests = (allow: (url: string) => boolean = () => false) =>
    emulator.requestLog.entries().filter((e) => {
      const url = decodeURIComponent(e.url);
      const body = e.body === undefined ? '' : JSON.stringify(e.body);
      const hit = OUTSIDE.some(
        ([t, set]) =>
          new RegExp(`/${set}(\\(|\\?|$|/)`).test(url) ||
          url.includes(`'${t}'`) ||
          body.includes(`"${t}"`) ||
          body.includes(`/${set}(`) ||
          body.includes(`'${t}'`),
      );
      return hit && !allow(url) && !identityRead(url);
    });
  const refusedWithNothingSent = async (tool: string, args: Row, table: string) => {
    emulator.requestLog.clear();
    const r = await callTool(client, tool, args);
    expect({ tool, isError: r.isError, text: r.text }).toMatchObject({
      tool,
      isError: true,
      text: expect.stringContaining(REFUSED(table)),
    });
    expect(outOfScopeRequests()).toEqual([]);
    return r;
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    const accounts = emulator.store.list('accounts', 500).rows;
    const contacts = emulator.store.list('contacts', 2000).rows;
    const primary = accounts.find((a) => typeof a._primarycontactid_value === 'string')!;
    accountId = String(accounts.find((a) => a.name === 'Contoso Ltd')?.accountid ?? accounts[0].accountid);
    contactId = String(primary._primarycontactid_value);
    expect(contacts.some((c) => c.contactid === contactId)).toBe(true);
    server = await spawnServerFor(emulator, { env: { DATAVERSE_TABLES: SCOPE, DATAVERSE_EXCLUDE_TABLES: 'lead' } });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should list only the tables in scope, the exclusion applied after the allow-list, and warn once about unknown names', async () => {
    const r = await callTool(client, 'list_tables', { limit: 200 });
    await callTool(client, 'list_tables', {});

    const names = (r.structuredContent as { tables: Array<{ logicalName: string }> }).tables.map((t) => t.logicalName);
    expect(names).toEqual(['annotation', 'appointment', 'contact', 'cr8a1_project', 'opportunity']);
    expect(server.stderr().match(/nosuch_table/g)).toHaveLength(1);
  });

  it('should refuse get_table_schema of an out-of-scope table without asking for it, and suggest only tables in scope', async () => {
    await refusedWithNothingSent('get_table_schema', { table: 'account' }, 'account');
    await refusedWithNothingSent('get_table_schema', { table: 'leads' }, 'lead');

    const typo = await callTool(client, 'get_table_schema', { table: 'acount' });
    expect(typo.isError).toBe(true);
    expect(typo.text).not.toMatch(/\baccount\b/);
    const near = await callTool(client, 'get_table_schema', { table: 'contacs' });
    expect(near.text).toContain('Did you mean contact?');
  });

  it('should show lookups to out-of-scope tables as such in a schema, without their navigation or entity set', async () => {
    const r = await callTool(client, 'get_table_schema', { table: 'contact', includeReadOnly: true });
    const data = r.structuredContent as { fields: Array<{ name: string; to?: Row; outsideScope?: true }>; entitySets?: Row };

    expect(r.isError).toBeFalsy();
    expect(data.fields.find((f) => f.name === 'parentcustomerid')).toMatchObject({
      to: { contact: 'parentcustomerid_contact' },
      outsideScope: true,
    });
    expect(JSON.stringify(data)).not.toMatch(/parentcustomerid_account|"accounts"|"account"|"systemusers"/);
    expect(outOfScopeRequests()).toEqual([]);
  });

  it('should refuse list_records, get_record and aggregate_records on an out-of-scope table', async () => {
    await refusedWithNothingSent('list_records', { table: 'account' }, 'account');
    await refusedWithNothingSent('get_record', { table: 'accounts', id: accountId }, 'account');
    await refusedWithNothingSent('aggregate_records', { table: 'account', groupBy: ['ownerid'] }, 'account');
    await refusedWithNothingSent('list_records', { table: 'lead' }, 'lead');
  });

  it('should refuse FetchXML whose link-entity is out of scope, and a filter that navigates to an out-of-scope table', async () => {
    const fetchXml =
      '<fetch><entity name="contact"><attribute name="fullname"/>' +
      '<link-entity name="account" from="accountid" to="parentcustomerid"><attribute name="name"/></link-entity></entity></fetch>';
    await refusedWithNothingSent('list_records', { table: 'contact', fetchXml }, 'account');
    await refusedWithNothingSent('list_records', { table: 'contact', filter: "parentcustomerid_account/name eq 'Contoso Ltd'" }, 'account');
    await refusedWithNothingSent(
      'aggregate_records',
      { table: 'contact', filter: "parentcustomerid_account/name eq 'Contoso Ltd'", groupBy: ['statecode'] },
      'account',
    );

    const allowed = await callTool(client, 'list_records', {
      table: 'contact',
      filter: "parentcustomerid_contact/fullname ne 'x'",
      top: 1,
    });
    expect(allowed.isError).toBeFalsy();
  });

  it('should refuse a cursor used with an out-of-scope table', async () => {
    const page = await callTool(client, 'list_records', { table: 'contact', top: 1, select: ['fullname'] });
    const cursor = (page.structuredContent as { nextCursor: string }).nextCursor;
    expect(cursor).toEqual(expect.any(String));

    await refusedWithNothingSent('list_records', { table: 'account', cursor }, 'account');
  });

  it('should search only tables in scope and return only them', async () => {
    emulator.requestLog.clear();
    const r = await callTool(client, 'search_records', { query: 'Halvorsen' });

    expect(r.isError).toBeFalsy();
    const results = (r.structuredContent as { results: Array<{ table: string }> }).results;
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((h) => h.table === 'cr8a1_project')).toBe(true);
    const query = emulator.requestLog.entries().find((e) => e.url.endsWith('/searchquery'));
    const entities = JSON.parse((query?.body as { entities: string }).entities) as Array<{ Name: string }>;
    expect(entities.map((e) => e.Name).sort()).toEqual(expect.arrayContaining(['contact', 'cr8a1_project']));
    expect(entities.some((e) => ['account', 'lead', 'systemuser'].includes(e.Name))).toBe(false);
    expect(outOfScopeRequests()).toEqual([]);

    await refusedWithNothingSent('search_records', { query: 'Halvorsen', tables: ['account'] }, 'account');
  });

  it('should search only tables in scope when Dataverse search is off (the primary-name fallback)', async () => {
    emulator.controls.setSearchEnabled(false);
    try {
      emulator.requestLog.clear();
      const r = await callTool(client, 'search_records', { query: 'Contoso' });

      expect(r.isError).toBeFalsy();
      const data = r.structuredContent as { results: Array<{ table: string }>; fallback?: { tables: string[] } };
      expect(data.fallback?.tables.length).toBeGreaterThan(0);
      expect(data.fallback?.tables.every((t) => ['contact', 'opportunity', 'cr8a1_project'].includes(t))).toBe(true);
      expect(data.results.every((h) => h.table !== 'account')).toBe(true);
      expect(outOfScopeRequests()).toEqual([]);
    } finally {
      emulator.controls.setSearchEnabled(true);
    }
  });

  it('should refuse every write that names an out-of-scope table: the table, lookups by id, bind and name, parties, bulk', async () => {
    await refusedWithNothingSent('create_record', { table: 'account', data: { name: 'x' } }, 'account');
    await refusedWithNothingSent('update_record', { table: 'account', id: accountId, data: { name: 'x' } }, 'account');
    await refusedWithNothingSent(
      'create_record',
      { table: 'contact', data: { lastname: 'Scoped', parentcustomerid: { table: 'account', id: accountId } } },
      'account',
    );
    await refusedWithNothingSent(
      'create_record',
      { table: 'contact', data: { lastname: 'Scoped', parentcustomerid: { table: 'account', name: 'Contoso Ltd' } } },
      'account',
    );
    await refusedWithNothingSent(
      'update_record',
      { table: 'contact', id: contactId, data: { 'parentcustomerid_account@odata.bind': `/accounts(${accountId})` } },
      'account',
    );
    await refusedWithNothingSent(
      'create_record',
      { table: 'appointment', data: { subject: 'Scoped', parties: [{ role: 'required', table: 'lead', id: ID }] } },
      'lead',
    );
    await refusedWithNothingSent(
      'create_records',
      { table: 'contact', records: [{ lastname: 'A' }, { lastname: 'B', parentcustomerid: `/accounts(${accountId})` }] },
      'account',
    );
    await refusedWithNothingSent('create_records', { table: 'account', records: [{ name: 'A' }] }, 'account');
    expect(emulator.store.count('contacts', (c) => c.lastname === 'Scoped' || c.lastname === 'A')).toBe(0);
  });

  it('should still write in-scope lookups and parties (the activity party plumbing is not refused)', async () => {
    const r = await callTool(client, 'create_record', {
      table: 'appointment',
      data: { subject: 'Scoped meeting', parties: [{ role: 'required', table: 'contact', id: contactId }] },
    });

    expect(r.isError).toBeFalsy();
    expect(outOfScopeRequests()).toEqual([]);
  });

  it('should refuse associate and disassociate when either side is out of scope', async () => {
    const link = { id: contactId, relationship: 'contact_customer_accounts', relatedIds: [accountId] };
    await refusedWithNothingSent('associate_records', { table: 'contact', relatedTable: 'account', ...link }, 'account');
    await refusedWithNothingSent(
      'disassociate_records',
      { table: 'account', relatedTable: 'contact', ...link, id: accountId, relatedIds: [contactId] },
      'account',
    );
  });

  it('should count related records of out-of-scope tables in a delete summary without naming them or their tables', async () => {
    emulator.requestLog.clear();
    const r = await callTool(client, 'delete_record', { table: 'contact', id: contactId });

    expect(r.isError).toBeFalsy();
    const summary = (r.structuredContent as { summary: Row }).summary;
    expect(JSON.stringify(summary)).not.toMatch(/\baccounts?\b|account_primary_contact|primarycontactid/i);
    expect(String(summary.text)).toContain("in a table outside this server's scope");
    // Only counts were read there: no names, no records.
    const counts = (url: string) =>
      /^\/api\/data\/v9\.2\/\w+\?\$select=\w+id&\$filter=_\w+_value eq [0-9a-f-]{36}&\$count=true&\$top=1$/.test(url);
    expect(outOfScopeRequests(counts)).toEqual([]);
    await refusedWithNothingSent('delete_record', { table: 'account', id: accountId }, 'account');
  });

  it('should refuse history of an out-of-scope table and show lookups to out-of-scope records without their names', async () => {
    await refusedWithNothingSent('get_record_history', { table: 'account', id: accountId }, 'account');
    const api = `${emulator.url}/api/data/v9.2`;
    const patched = await fetch(`${api}/contacts(${contactId})`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulator.issueToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ 'parentcustomerid_account@odata.bind': `/accounts(${accountId})` }),
    });
    expect(patched.status).toBe(204);
    const accountName = String(emulator.store.get('accounts', accountId)?.name);
    emulator.requestLog.clear();

    const r = await callTool(client, 'get_record_history', { table: 'contact', id: contactId, top: 1 });

    expect(r.isError).toBeFalsy();
    const change = (r.structuredContent as { changes: Array<{ fields: Array<{ field: string; newValue: unknown }> }> }).changes[0];
    expect(change.fields.find((f) => f.field === 'parentcustomerid')?.newValue).toBe(accountId);
    expect(JSON.stringify(r.structuredContent)).not.toContain(accountName);
    expect(outOfScopeRequests()).toEqual([]);
  });

  it('should show lookups to out-of-scope records by id only in records and aggregate groups', async () => {
    const accountName = String(emulator.store.get('accounts', accountId)?.name);
    const record = await callTool(client, 'get_record', { table: 'contact', id: contactId, select: ['fullname', 'parentcustomerid'] });
    const list = await callTool(client, 'list_records', {
      table: 'contact',
      filter: `contactid eq ${contactId}`,
      select: ['parentcustomerid'],
    });
    const groups = await callTool(client, 'aggregate_records', { table: 'contact', groupBy: ['parentcustomerid'] });

    expect((record.structuredContent as { record: Row }).record.parentcustomerid).toEqual({ id: accountId, outsideScope: true });
    expect((list.structuredContent as { records: Row[] }).records[0].parentcustomerid).toEqual({ id: accountId, outsideScope: true });
    expect(groups.isError).toBeFalsy();
    for (const r of [record, list, groups]) expect(r.text).not.toContain(accountName);
  });

  it('should read notes of an in-scope record and refuse the file of a note about an out-of-scope record', async () => {
    const notes = await callTool(client, 'get_record', { table: 'contact', id: contactId, select: ['fullname'], include: ['notes'] });
    expect(notes.isError).toBeFalsy();

    const aboutAccount = emulator.store
      .list('annotations', 1000)
      .rows.find((n) => typeof n._objectid_value === 'string' && emulator.store.get('accounts', String(n._objectid_value)) && n.filename);
    expect(aboutAccount).toBeDefined();
    await refusedWithNothingSent(
      'get_record',
      { table: 'annotation', id: aboutAccount!.annotationid, select: ['documentbody'] },
      'account',
    );
    await refusedWithNothingSent('get_record', { table: 'annotation', id: aboutAccount!.annotationid, select: ['subject'] }, 'account');

    const list = await callTool(client, 'list_records', { table: 'annotation', select: ['subject'], top: 200 });
    const data = list.structuredContent as { records: Array<{ objectid?: { table?: string } }>; note?: string };
    expect(list.isError).toBeFalsy();
    expect(data.records.length).toBeGreaterThan(0);
    expect(data.records.every((n) => n.objectid?.table !== 'account')).toBe(true);
    expect(data.note).toMatch(/\d+ notes? about records outside this server's table scope left out/);

    const fetchXml = '<fetch><entity name="annotation"><attribute name="subject"/></entity></fetch>';
    const fetched = await callTool(client, 'list_records', { table: 'annotation', fetchXml, top: 200 });
    expect(fetched.isError).toBeFalsy();
    expect(
      (fetched.structuredContent as { records: Array<{ objectid?: { table?: string } }> }).records.every(
        (n) => n.objectid?.table !== 'account',
      ),
    ).toBe(true);
    expect((fetched.structuredContent as { note?: string }).note).toMatch(/about records outside this server's table scope left out/);
  });
});

describe('table scope in the sandbox', () => {
  it('should show the scope in the sandbox banner and honour it', async () => {
    const server = await spawnHttpServer(
      { MCP_TRANSPORT: 'http', DATAVERSE_TABLES: 'contact,account', DATAVERSE_EXCLUDE_TABLES: 'account' },
      ['--sandbox'],
    );
    try {
      const deadline = Date.now() + 10000;
      while (!server.stderr().includes('Table scope') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(server.stderr()).toContain('Table scope: only account, contact; excluding account');
      const client = await connectHttp(server.url);
      try {
        const signIn = await callTool(client, 'sign_in');
        expect((await fetch((signIn.structuredContent as { url: string }).url, { redirect: 'follow' })).status).toBe(200);
        const r = await callTool(client, 'list_records', { table: 'account', top: 1 });
        expect(r.text).toContain(REFUSED('account'));
      } finally {
        await client.close();
      }
    } finally {
      await server.stop();
    }
  });
});

describe('table scope and views', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { env: { DATAVERSE_TABLES: 'account' } });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should run a view whose only out-of-scope link adds columns, without that link', async () => {
    emulator.requestLog.clear();
    const r = await callTool(client, 'list_records', { table: 'account', view: 'Active Accounts', top: 3 });

    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { records: Row[] }).records.length).toBeGreaterThan(0);
    const sent = emulator.requestLog.entries().map((e) => decodeURIComponent(e.url));
    expect(sent.some((u) => u.includes('fetchXml=') && u.includes('name="account"'))).toBe(true);
    expect(sent.filter((u) => u.includes('name="contact"') || /\/contacts(\(|\?|$)/.test(u))).toEqual([]);
  });
});
