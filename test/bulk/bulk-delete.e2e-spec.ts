import { callTool, connectServer, EmulatorHandle, StdioSession, startEmulator } from '../write/write-support';

/** delete_record with ids: one summary and one token for all; confirm_delete_record deletes all or none. */
describe('bulk delete under one confirmation', () => {
  let emulator: EmulatorHandle;
  let session: StdioSession;

  async function contacts(tag: string): Promise<string[]> {
    const r = await callTool(session.client, 'create_records', {
      table: 'contact',
      records: [1, 2, 3].map((i) => ({ firstname: `${tag}${i}`, lastname: tag })),
    });
    expect(r.isError).toBeFalsy();
    return (r.structuredContent as { ids: string[] }).ids;
  }
  const present = (ids: string[]) => ids.filter((id) => emulator.store.get('contacts', id)).length;

  beforeAll(async () => {
    emulator = await startEmulator();
    session = await connectServer({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken(), LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await session?.close();
    await emulator?.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  it('should propose 3 records under one token, delete all in one change set with their etags, and refuse a replay', async () => {
    const ids = await contacts('BulkDel');

    const proposed = await callTool(session.client, 'delete_record', { table: 'contact', ids });
    expect(proposed.isError).toBeFalsy();
    const { token, summary } = proposed.structuredContent as {
      token: string;
      summary: { records: Array<{ id: string; name: string }>; text: string };
    };
    expect(summary.records.map((r) => r.id)).toEqual(ids);
    expect(summary.text).toContain('Delete 3 Contact records, all or none: 1. "BulkDel1 BulkDel"; 2. "BulkDel2 BulkDel"');
    expect(summary.text).not.toContain('Per record');
    expect(present(ids)).toBe(3);

    emulator.requestLog.clear();
    const confirmed = await callTool(session.client, 'confirm_delete_record', { token });
    expect(confirmed.isError).toBeFalsy();
    expect(confirmed.structuredContent).toMatchObject({ deleted: true, table: 'contact', ids });
    expect(present(ids)).toBe(0);
    const writes = emulator.requestLog.entries().filter((e) => e.method !== 'GET');
    expect(writes.map((e) => e.url)).toEqual(['/api/data/v9.2/$batch']);

    const replay = await callTool(session.client, 'confirm_delete_record', { token });
    expect(replay.isError).toBe(true);
    expect(replay.text).toMatch(/already used/i);
  });

  it('should delete none when one record changed after the summary, naming it', async () => {
    const ids = await contacts('Changed');
    const proposed = await callTool(session.client, 'delete_record', { table: 'contact', ids });
    const { token } = proposed.structuredContent as { token: string };
    const changed = await callTool(session.client, 'update_record', {
      table: 'contact',
      id: ids[1],
      data: { jobtitle: 'Changed meanwhile' },
    });
    expect(changed.isError).toBeFalsy();

    const confirmed = await callTool(session.client, 'confirm_delete_record', { token });

    expect(confirmed.isError).toBe(true);
    expect(confirmed.text).toContain(
      `Nothing was deleted: Dataverse refused contact "Changed2 Changed" (${ids[1]}): it was changed after the delete was proposed`,
    );
    expect(present(ids)).toBe(3);
  });

  it('should let exactly one of several concurrent confirms delete the records', async () => {
    const ids = await contacts('Race');
    const { token } = (await callTool(session.client, 'delete_record', { table: 'contact', ids })).structuredContent as { token: string };

    const results = await Promise.all([1, 2, 3, 4].map(() => callTool(session.client, 'confirm_delete_record', { token })));

    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(results.filter((r) => r.isError).every((r) => /already used/i.test(r.text))).toBe(true);
    expect(present(ids)).toBe(0);
    expect(emulator.requestLog.entries().filter((e) => e.url.endsWith('$batch') && e.method === 'POST')).toHaveLength(2);
  });

  it('should refuse id and ids together, and a repeated id', async () => {
    const both = await callTool(session.client, 'delete_record', {
      table: 'contact',
      id: '0badc0de-0000-4000-8000-00000000000d',
      ids: ['0badc0de-0000-4000-8000-00000000000d'],
    });
    expect(both.isError).toBe(true);
    expect(both.text).toContain('Give either id (one record) or ids (several records)');

    const twice = await callTool(session.client, 'delete_record', {
      table: 'contact',
      ids: ['0badc0de-0000-4000-8000-00000000000d', '0BADC0DE-0000-4000-8000-00000000000D'],
    });
    expect(twice.isError).toBe(true);
    expect(twice.text).toContain('ids[1] (0badc0de-0000-4000-8000-00000000000d) is given twice');
  });
});
