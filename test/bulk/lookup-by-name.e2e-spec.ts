import { callTool, connectServer, EmulatorHandle, StdioSession, startEmulator } from '../write/write-support';

/** Lookups given by name in create_record and create_records: exact (any case), none, ambiguous, inactive. */
describe('lookups by name', () => {
  let emulator: EmulatorHandle;
  let session: StdioSession;
  const accounts: Record<string, string> = {};

  async function account(name: string, data: Record<string, unknown> = {}): Promise<string> {
    const r = await callTool(session.client, 'create_record', { table: 'account', data: { name, ...data } });
    expect(r.isError).toBeFalsy();
    return (r.structuredContent as { id: string }).id;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    session = await connectServer({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), LOG_LEVEL: 'info' });
    accounts.unique = await account('Zephyr Unique Widgets');
    accounts.twinA = await account('Twin Peaks Trading', { address1_city: 'Oslo' });
    accounts.twinB = await account('Twin Peaks Trading', { address1_city: 'Bergen' });
    accounts.oldActive = await account('Phoenix Revived');
    accounts.oldInactive = await account('Phoenix Revived');
    const closed = await callTool(session.client, 'update_record', { table: 'account', id: accounts.oldInactive, data: { statecode: 1 } });
    expect(closed.isError).toBeFalsy();
  });
  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  it('should resolve an exact name in any case to the record and bind it', async () => {
    const r = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'ByName', parentcustomerid: { table: 'account', name: 'zephyr UNIQUE widgets' } },
    });

    expect(r.isError).toBeFalsy();
    const id = (r.structuredContent as { id: string }).id;
    expect(emulator.store.get('contacts', id)?._parentcustomerid_value).toBe(accounts.unique);
  });

  it('should prefer the one active record among records of the same name', async () => {
    const r = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'ActiveFirst', parentcustomerid: { table: 'account', name: 'Phoenix Revived' } },
    });

    expect(r.isError).toBeFalsy();
    expect(emulator.store.get('contacts', (r.structuredContent as { id: string }).id)?._parentcustomerid_value).toBe(accounts.oldActive);
  });

  it('should refuse a name that matches nothing, with the closest names, and write nothing', async () => {
    const before = emulator.store.count('contacts');
    const r = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'NoMatch', parentcustomerid: { table: 'account', name: 'Zephyr Unique Widget Co' } },
    });

    expect(r.isError).toBe(true);
    expect(r.text).toContain('no account is named "Zephyr Unique Widget Co"; closest: "Zephyr Unique Widgets"');
    expect(emulator.store.count('contacts')).toBe(before);
    expect(emulator.requestLog.entries().filter((e) => e.method !== 'GET')).toHaveLength(0);
  });

  it('should refuse an ambiguous name, listing the candidates with ids and a distinguishing field', async () => {
    const r = await callTool(session.client, 'create_record', {
      table: 'contact',
      data: { lastname: 'Ambiguous', parentcustomerid: { table: 'account', name: 'Twin Peaks Trading' } },
    });

    expect(r.isError).toBe(true);
    expect(r.text).toContain('2 active account records are named "Twin Peaks Trading"');
    expect(r.text).toContain(`${accounts.twinA} (address1_city Oslo)`);
    expect(r.text).toContain(`${accounts.twinB} (address1_city Bergen)`);
    expect(emulator.requestLog.entries().filter((e) => e.method !== 'GET')).toHaveLength(0);
  });

  it('should resolve all names of a bulk create in one query and report unresolved ones by row', async () => {
    const ok = await callTool(session.client, 'create_records', {
      table: 'contact',
      records: [
        { lastname: 'Bulk1', parentcustomerid: { table: 'account', name: 'Zephyr Unique Widgets' } },
        { lastname: 'Bulk2', parentcustomerid: { table: 'account', name: 'Phoenix Revived' } },
        { lastname: 'Bulk3', parentcustomerid: { table: 'account', name: 'zephyr unique widgets' } },
      ],
    });
    expect(ok.isError).toBeFalsy();
    const ids = (ok.structuredContent as { ids: string[] }).ids;
    expect(ids.map((id) => emulator.store.get('contacts', id)?._parentcustomerid_value)).toEqual([
      accounts.unique,
      accounts.oldActive,
      accounts.unique,
    ]);
    expect(emulator.requestLog.entries().filter((e) => e.method === 'GET' && e.url.includes('/accounts?'))).toHaveLength(1);

    emulator.requestLog.clear();
    const refused = await callTool(session.client, 'create_records', {
      table: 'contact',
      records: [{ lastname: 'Fine' }, { lastname: 'Twin', parentcustomerid: { table: 'account', name: 'Twin Peaks Trading' } }],
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/records\[1\]: parentcustomerid: 2 active account records are named "Twin Peaks Trading"/);
    expect(emulator.requestLog.entries().filter((e) => e.url.endsWith('$batch'))).toHaveLength(0);
  });
});
