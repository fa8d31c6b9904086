import { callTool, connectServer, EmulatorHandle, StdioSession, startEmulator } from './write-support';

/** create_record / update_record end to end: the built server over stdio, against the emulator. */
describe('create_record / update_record (stdio)', () => {
  let emulator: EmulatorHandle;
  let session: StdioSession;

  beforeAll(async () => {
    emulator = await startEmulator();
    session = await connectServer({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  async function firstId(table: string, key: string, filter?: string): Promise<string> {
    const result = await callTool(session.client, 'list_records', { table, top: 1, select: key, ...(filter ? { filter } : {}) });
    return (result.structuredContent as { records: Array<Record<string, string>> }).records[0][key];
  }

  it('should land a lookup as the exact bind and a choice label as its value when creating', async () => {
    const accountId = await firstId('account', 'accountid');

    const result = await callTool(session.client, 'create_record', {
      table: 'contacts',
      data: {
        firstname: 'Lena',
        lastname: 'Lookup',
        parentcustomerid: { table: 'account', id: accountId },
        preferredcontactmethodcode: 'email',
      },
    });

    expect(result.isError).toBeFalsy();
    const { id, name } = result.structuredContent as { id: string; name: string };
    expect(name).toBe('Lena Lookup');
    const post = emulator.requestLog.entries().find((e) => e.method === 'POST');
    expect(post?.url).toMatch(/\/contacts\?\$select=contactid%2Cfullname$/);
    expect(post?.headers.prefer).toContain('return=representation');
    expect(post?.body).toEqual({
      firstname: 'Lena',
      lastname: 'Lookup',
      'parentcustomerid_account@odata.bind': `/accounts(${accountId})`,
      preferredcontactmethodcode: 2,
    });
    expect(emulator.store.get('contacts', id)).toMatchObject({
      _parentcustomerid_value: accountId,
      preferredcontactmethodcode: 2,
      lastname: 'Lookup',
    });
  });

  it('should bind a custom lookup through its mixed-case navigation property', async () => {
    const accountId = await firstId('account', 'accountid');

    const result = await callTool(session.client, 'create_record', {
      table: 'cr8a1_project',
      data: { cr8a1_name: 'Mixed case', 'cr8a1_accountid@odata.bind': `/accounts(${accountId})`, cr8a1_stage: 'in progress' },
    });

    expect(result.isError).toBeFalsy();
    expect(emulator.requestLog.entries().find((e) => e.method === 'POST')?.body).toMatchObject({
      'cr8a1_AccountId@odata.bind': `/accounts(${accountId})`,
      cr8a1_stage: 100000001,
    });
    expect(emulator.store.get('cr8a1_projects', (result.structuredContent as { id: string }).id)).toMatchObject({
      _cr8a1_accountid_value: accountId,
    });
  });

  it('should refuse bad data before calling Dataverse, naming the field, nearest names and valid labels', async () => {
    const count = emulator.store.count('contacts');

    const result = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'Nope', emailadress1: 'a@b.c', preferredcontactmethodcode: 'Pigeon' },
    });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Nothing was created/);
    expect(result.text).toMatch(/Field "emailadress1" does not exist on contact\. Did you mean "emailaddress1"/);
    expect(result.text).toMatch(/"Pigeon" is not one of its values\. Valid values: 1=Any, 2=Email/);
    expect(emulator.requestLog.entries().filter((e) => e.method !== 'GET')).toEqual([]);
    expect(emulator.store.count('contacts')).toBe(count);
  });

  it('should report not found and create nothing when updating a missing id', async () => {
    const count = emulator.store.count('contacts');
    const missing = '0badc0de-0000-4000-8000-000000000001';

    const result = await callTool(session.client, 'update_record', { table: 'contact', id: missing, data: { firstname: 'Ghost' } });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      new RegExp(`No contact record with id ${missing} exists.*nothing was created: updates never create records`),
    );
    const patch = emulator.requestLog.entries().find((e) => e.method === 'PATCH');
    expect(patch?.headers.ifMatch).toBe('*');
    expect(emulator.store.count('contacts')).toBe(count);
    expect(emulator.store.get('contacts', missing)).toBeUndefined();
  });

  it('should update fields, clear a lookup with null and return the name', async () => {
    const accountId = await firstId('account', 'accountid');
    const created = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'Before', parentcustomerid: { table: 'account', id: accountId } },
    });
    const id = (created.structuredContent as { id: string }).id;

    const result = await callTool(session.client, 'update_record', {
      table: 'contact',
      id,
      data: { lastname: 'After', parentcustomerid: null, donotemail: true },
    });

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ id, name: 'After', fields: ['lastname', 'parentcustomerid', 'donotemail'] });
    expect(emulator.store.get('contacts', id)).toMatchObject({ lastname: 'After', _parentcustomerid_value: null, donotemail: true });
  });

  it('should say a related record is missing when a lookup points nowhere', async () => {
    const missing = '0badc0de-0000-4000-8000-000000000002';

    const result = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'Orphan', parentcustomerid: { table: 'account', id: missing } },
    });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(new RegExp(`The related account record ${missing} .* does not exist.*Nothing was created`));
  });

  it('should schedule "a meeting with Jane tomorrow at 2pm" with Jane as required attendee and the user as organizer', async () => {
    const identity = (await callTool(session.client, 'get_my_identity')).structuredContent as {
      userId: string;
      timeZone: { utcOffset: string; localTime: string };
    };
    const jane = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { firstname: 'Jane', lastname: 'Meeting', emailaddress1: 'jane@example.com' },
    });
    const janeId = (jane.structuredContent as { id: string }).id;
    // What the model does: tomorrow in the user's zone, 14:00 local, converted to UTC with the offset.
    const today = identity.timeZone.localTime.slice(0, 10);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const start = new Date(Date.parse(`${tomorrow}T14:00:00${identity.timeZone.utcOffset}`));
    const end = new Date(start.getTime() + 30 * 60_000);
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

    const result = await callTool(session.client, 'create_record', {
      table: 'appointment',
      data: {
        subject: 'Meeting with Jane',
        scheduledstart: iso(start),
        scheduledend: iso(end),
        parties: [
          { role: 'required', table: 'contact', id: janeId },
          { role: 'organizer', table: 'systemuser', id: identity.userId },
        ],
      },
    });

    expect(result.isError).toBeFalsy();
    const id = (result.structuredContent as { id: string }).id;
    expect(emulator.store.get('appointments', id)).toMatchObject({
      subject: 'Meeting with Jane',
      scheduledstart: iso(start),
      scheduledend: iso(end),
    });
    const parties = await callTool(session.client, 'list_records', {
      table: 'activityparty',
      filter: `_activityid_value eq ${id}`,
      select: 'partyid,participationtypemask',
    });
    expect(parties.isError).toBeFalsy();
    const records = (
      parties.structuredContent as { records: Array<{ partyid: { id: string; table: string }; participationtypemask: number }> }
    ).records;
    expect(
      records.map((r) => ({ id: r.partyid.id, table: r.partyid.table, mask: r.participationtypemask })).sort((a, b) => a.mask - b.mask),
    ).toEqual([
      { id: janeId, table: 'contact', mask: 5 },
      { id: identity.userId, table: 'systemuser', mask: 7 },
    ]);
  });

  it("should take a time without offset in the user's zone (Europe/Berlin) with that date's offset, summer and winter", async () => {
    const identity = await callTool(session.client, 'get_my_identity');
    expect((identity.structuredContent as { timeZone: { ianaId: string } }).timeZone.ianaId).toBe('Europe/Berlin');

    const summer = await callTool(session.client, 'create_record', {
      table: 'appointment',
      data: { subject: 'Summer', scheduledstart: '2026-07-01T14:00', scheduledend: '2026-07-01T14:30:00' },
    });
    const winter = await callTool(session.client, 'create_record', {
      table: 'appointment',
      data: { subject: 'Winter', scheduledstart: '2026-12-02T14:00', scheduledend: '2026-12-02T15:00:00Z' },
    });

    expect(summer.isError).toBeFalsy();
    expect(winter.isError).toBeFalsy();
    const stored = (r: typeof summer) => emulator.store.get('appointments', (r.structuredContent as { id: string }).id)!;
    expect(stored(summer)).toMatchObject({ scheduledstart: '2026-07-01T12:00:00Z', scheduledend: '2026-07-01T12:30:00Z' });
    expect(stored(winter)).toMatchObject({ scheduledstart: '2026-12-02T13:00:00Z', scheduledend: '2026-12-02T15:00:00Z' });
    expect(summer.text).toContain('scheduledstart: 2026-07-01T14:00 Europe/Berlin +02:00 = 2026-07-01T12:00:00Z');
    expect((winter.structuredContent as { localTimes: unknown[] }).localTimes).toEqual([
      { field: 'scheduledstart', local: '2026-12-02T14:00', utc: '2026-12-02T13:00:00Z', timeZone: 'Europe/Berlin +01:00' },
    ]);
  });

  it('should refuse a local time the clocks skip, writing nothing', async () => {
    const result = await callTool(session.client, 'create_record', {
      table: 'appointment',
      data: { subject: 'Gap', scheduledstart: '2026-03-29T02:30' },
    });

    expect(result.isError).toBe(true);
    expect(result.text).toContain('scheduledstart: 2026-03-29T02:30 does not exist in Europe/Berlin');
  });
});

describe('write tool visibility', () => {
  const env = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'visibility-token' };
  const WRITES = ['create_record', 'update_record', 'create_records', 'update_records', 'associate_records', 'disassociate_records'];
  const DELETES = ['delete_record', 'confirm_delete_record'];

  async function toolNames(extra: Record<string, string>): Promise<string[]> {
    const s = await connectServer({ ...env, ...extra });
    try {
      return (await s.client.listTools()).tools.map((t) => t.name);
    } finally {
      await s.close();
    }
  }

  it('should hide every write when DATAVERSE_READ_ONLY is true', async () => {
    const names = await toolNames({ DATAVERSE_READ_ONLY: 'true' });
    for (const t of [...WRITES, ...DELETES]) expect(names).not.toContain(t);
    expect(names).toEqual(expect.arrayContaining(['list_records', 'get_record', 'get_table_schema']));
  });

  it('should hide only the delete tools when DATAVERSE_ALLOW_DELETE is false', async () => {
    const names = await toolNames({ DATAVERSE_ALLOW_DELETE: 'false' });
    expect(names).toEqual(expect.arrayContaining(WRITES));
    for (const t of DELETES) expect(names).not.toContain(t);
  });

  it('should expose writes and deletes by default', async () => {
    expect(await toolNames({})).toEqual(expect.arrayContaining([...WRITES, ...DELETES]));
  });
});
