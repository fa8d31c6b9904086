import { callTool, connectServer, EmulatorHandle, StdioSession, startEmulator } from '../write/write-support';

/** associate_records / disassociate_records against the emulator's $ref endpoints and intersect tables. */
describe('associate_records / disassociate_records', () => {
  let emulator: EmulatorHandle;
  let session: StdioSession;
  let accountId: string;
  const leadIds: string[] = [];

  async function create(table: string, data: Record<string, unknown>): Promise<string> {
    const r = await callTool(session.client, 'create_record', { table, data });
    expect(r.isError).toBeFalsy();
    return (r.structuredContent as { id: string }).id;
  }
  async function relatedLeads(): Promise<string[]> {
    const res = await fetch(`${emulator.apiUrl}accounts(${accountId})/accountleads_association`, {
      headers: { Authorization: `Bearer ${emulator.issueToken()}`, Accept: 'application/json' },
    });
    return ((await res.json()) as { value: Array<{ leadid: string }> }).value.map((l) => l.leadid).sort();
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    session = await connectServer({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), LOG_LEVEL: 'info' });
    accountId = await create('account', { name: 'Linking Ltd' });
    for (const n of [1, 2, 3]) leadIds.push(await create('lead', { lastname: `Lead ${n}`, subject: `Interest ${n}` }));
  });
  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  it('should list N:N relationships in get_table_schema', async () => {
    const r = await callTool(session.client, 'get_table_schema', { table: 'account' });
    expect((r.structuredContent as { manyToMany: unknown[] }).manyToMany).toContainEqual({
      name: 'accountleads_association',
      table: 'lead',
    });
  });

  it('should link leads to an account by schema name with POST $ref and an absolute @odata.id, then unlink one', async () => {
    const linked = await callTool(session.client, 'associate_records', {
      table: 'account',
      id: accountId,
      relationship: 'AccountLeads_Association',
      relatedTable: 'lead',
      relatedIds: leadIds.slice(0, 2),
    });

    expect(linked.isError).toBeFalsy();
    expect(linked.structuredContent).toEqual({
      table: 'account',
      id: accountId,
      relationship: 'accountleads_association',
      relatedIds: leadIds.slice(0, 2),
    });
    const posts = emulator.requestLog.entries().filter((e) => e.method === 'POST');
    expect(posts.map((p) => p.url)).toEqual(
      leadIds.slice(0, 2).map(() => `/api/data/v9.2/accounts(${accountId})/accountleads_association/$ref`),
    );
    expect(posts[0].body).toEqual({ '@odata.id': `${emulator.apiUrl}leads(${leadIds[0]})` });
    expect(await relatedLeads()).toEqual(leadIds.slice(0, 2).sort());

    const unlinked = await callTool(session.client, 'disassociate_records', {
      table: 'account',
      id: accountId,
      relationship: 'accountleads_association',
      relatedTable: 'lead',
      relatedIds: [leadIds[0]],
    });
    expect(unlinked.isError).toBeFalsy();
    expect(emulator.requestLog.entries().find((e) => e.method === 'DELETE')?.url).toBe(
      `/api/data/v9.2/accounts(${accountId})/accountleads_association(${leadIds[0]})/$ref`,
    );
    expect(await relatedLeads()).toEqual([leadIds[1]]);
  });

  it('should answer a wrong relationship name with the relationships to that table, sending nothing', async () => {
    const r = await callTool(session.client, 'associate_records', {
      table: 'account',
      id: accountId,
      relationship: 'account_leads',
      relatedTable: 'lead',
      relatedIds: [leadIds[2]],
    });

    expect(r.isError).toBe(true);
    expect(r.text).toContain('account has no relationship "account_leads" to lead. Its relationships to lead: ');
    expect(r.text).toContain('accountleads_association (N:N)');
    expect(r.text).toContain('Nothing was changed.');
    expect(emulator.requestLog.entries().filter((e) => e.method !== 'GET')).toHaveLength(0);
  });

  it('should report an existing link, and a missing related record, in plain words', async () => {
    const dup = await callTool(session.client, 'associate_records', {
      table: 'account',
      id: accountId,
      relationship: 'accountleads_association',
      relatedTable: 'lead',
      relatedIds: [leadIds[2], leadIds[1]],
    });
    expect(dup.isError).toBe(true);
    expect(dup.text).toContain(`relatedIds[1] (${leadIds[1]}) is already linked to this account.`);
    expect(dup.text).toContain('relatedIds[0..0] were linked before it');

    const ghost = '0badc0de-0000-4000-8000-00000000000c';
    const missing = await callTool(session.client, 'associate_records', {
      table: 'account',
      id: accountId,
      relationship: 'accountleads_association',
      relatedTable: 'lead',
      relatedIds: [ghost],
    });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain(`lead ${ghost} does not exist, or you cannot see it. Nothing was changed.`);
  });

  it('should link through a custom N:N and a 1:N collection navigation', async () => {
    const projectId = await create('cr8a1_project', { cr8a1_name: 'Linked project', cr8a1_accountid: accountId, cr8a1_stage: 'Planning' });
    const contactId = await create('contact', { lastname: 'Member' });

    const nn = await callTool(session.client, 'associate_records', {
      table: 'cr8a1_project',
      id: projectId,
      relationship: 'cr8a1_project_contact',
      relatedTable: 'contact',
      relatedIds: [contactId],
    });
    expect(nn.isError).toBeFalsy();

    const oneN = await callTool(session.client, 'associate_records', {
      table: 'account',
      id: accountId,
      relationship: 'contact_customer_accounts',
      relatedTable: 'contact',
      relatedIds: [contactId],
    });
    expect(oneN.isError).toBeFalsy();
    expect(emulator.store.get('contacts', contactId)?._parentcustomerid_value).toBe(accountId);
  });
});
