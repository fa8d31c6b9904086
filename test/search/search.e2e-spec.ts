import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { HALVORSEN_ACCOUNT_ID, HALVORSEN_PROJECT_ID } from '../../src/sandbox/data/seed-search';
import { callTool, connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';

interface Hit {
  table: string;
  id: string;
  name?: string;
  score: number;
  highlights?: Record<string, string>;
  fields?: Record<string, unknown>;
}
interface Answer {
  results: Hit[];
  totalCount?: number;
  fallback?: { reason: string; tables: string[] };
}

/** search_records through the real MCP SDK client, against the emulator's Dataverse search (on and off). */
describe('search_records end to end (Streamable HTTP)', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  const search = async (args: Record<string, unknown>) => {
    const r = await callTool(client, 'search_records', args);
    return { ...r, data: r.structuredContent as unknown as Answer };
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator);
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });
  afterEach(() => emulator.controls.setSearchEnabled(true));

  it('should find an account and a custom-table record that share a word in one call, each ready for get_record', async () => {
    emulator.requestLog.clear();

    const r = await search({ query: 'Halvorsen' });

    expect(r.isError).toBeFalsy();
    expect(r.data.totalCount).toBe(2);
    expect(r.data.results.map((h) => [h.table, h.id, h.name])).toEqual([
      ['account', HALVORSEN_ACCOUNT_ID, 'Halvorsen Maritime AS'],
      ['cr8a1_project', HALVORSEN_PROJECT_ID, 'Halvorsen dry dock crane retrofit'],
    ]);
    expect(r.data.results[0].highlights).toMatchObject({ name: '**Halvorsen** Maritime AS' });
    expect(r.data.fallback).toBeUndefined();
    expect(emulator.requestLog.entries().filter((e) => e.url.endsWith('/searchquery'))).toHaveLength(1);

    const record = await callTool(client, 'get_record', { table: r.data.results[1].table, id: r.data.results[1].id, select: 'cr8a1_name' });
    expect(record.structuredContent).toMatchObject({ record: { cr8a1_name: 'Halvorsen dry dock crane retrofit' } });
  });

  it('should narrow to the named tables', async () => {
    const r = await search({ query: 'Halvorsen', tables: ['cr8a1_project'] });

    expect(r.data.results.map((h) => h.table)).toEqual(['cr8a1_project']);
    expect(r.data.totalCount).toBe(1);
  });

  it('should return at most top results, best first, with the total count', async () => {
    const all = await search({ query: 'Coffee', top: 100 });
    const three = await search({ query: 'Coffee', top: 3 });
    const dflt = await search({ query: 'Coffee' });

    expect(all.data.totalCount).toBeGreaterThan(10);
    expect(three.data.results).toHaveLength(3);
    expect(dflt.data.results).toHaveLength(10);
    expect(three.data.results.map((h) => h.id)).toEqual(all.data.results.slice(0, 3).map((h) => h.id));
    const scores = all.data.results.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(three.text).toMatch(new RegExp(`^3 results for "Coffee" of ${all.data.totalCount}\\.`));
  });

  it('should fall back to a primary-name search over everyday tables and say so when search is off', async () => {
    emulator.controls.setSearchEnabled(false);

    const r = await search({ query: 'Halvorsen' });

    expect(r.isError).toBeFalsy();
    expect(r.data.fallback).toEqual({
      reason: 'Dataverse search is turned off in this environment, so only primary names were searched (contains).',
      tables: ['account', 'contact', 'lead', 'opportunity'],
    });
    expect(r.data.results.map((h) => [h.table, h.id, h.name])).toEqual([['account', HALVORSEN_ACCOUNT_ID, 'Halvorsen Maritime AS']]);
    expect(r.text.split('\n')[0]).toBe(
      'Dataverse search is off in this environment: this is a fallback that searched only the primary name of account, contact, lead, opportunity. ' +
        '1 result for "Halvorsen".',
    );
  });

  it('should cover a custom table the caller names in the fallback', async () => {
    emulator.controls.setSearchEnabled(false);

    const r = await search({ query: 'halvorsen', tables: ['account', 'cr8a1_projects'] });

    expect(r.data.fallback?.tables).toEqual(['account', 'cr8a1_project']);
    expect(r.data.results.map((h) => h.id).sort()).toEqual([HALVORSEN_ACCOUNT_ID, HALVORSEN_PROJECT_ID].sort());
  });

  it('should refuse bad input with messages that say what to do', async () => {
    const empty = await search({ query: '   ' });
    const long = await search({ query: 'x'.repeat(101) });
    const unknown = await search({ query: 'Halvorsen', tables: ['acount'] });
    const notIndexed = await search({ query: 'Halvorsen', tables: ['team'] });

    expect([empty.isError, long.isError, unknown.isError, notIndexed.isError]).toEqual([true, true, true, true]);
    expect(empty.text).toBe('query is empty: pass the words to look for, e.g. "Contoso".');
    expect(long.text).toBe('query is 101 characters long; Dataverse search takes at most 100. Keep the most distinctive words.');
    expect(unknown.text).toBe(
      'There is no table "acount" in this Dataverse environment. Did you mean account (accounts)? Call list_tables (optionally with a filter) to find the right name.',
    );
    expect(notIndexed.text).toBe(
      'Table team is not indexed for Dataverse search in this environment. ' +
        'Searchable tables: account, appointment, contact, cr8a1_project, email, lead, opportunity, phonecall, task. ' +
        "Leave it out of tables, or use list_records with a filter such as contains(name,'...').",
    );
  });

  it('should answer hostile text with results or a clear message, with search on and off', async () => {
    const hostile = ["O'Brien", '50% [x] _', '"unclosed', '{crmhit}x{/crmhit}', '$filter=1&$top=9', 'ü😀\u0000', '*', '-', '(a|b)+*'];
    for (const on of [true, false]) {
      emulator.controls.setSearchEnabled(on);
      for (const query of hostile) {
        const r = await search({ query });
        expect({ query, on, unexpected: /unexpected error/i.test(r.text) }).toEqual({ query, on, unexpected: false });
        if (!r.isError) expect(Array.isArray(r.data.results)).toBe(true);
      }
    }
  });

  it('should show primaryNameAttribute and primaryIdAttribute in list_tables', async () => {
    const r = await callTool(client, 'list_tables', { filter: 'project' });

    expect(r.structuredContent).toMatchObject({
      tables: [
        {
          logicalName: 'cr8a1_project',
          entitySetName: 'cr8a1_projects',
          primaryNameAttribute: 'cr8a1_name',
          primaryIdAttribute: 'cr8a1_projectid',
        },
      ],
    });
  });

  it('should keep the tool within 700 characters of name, description and input schema in tools/list', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'search_records')!;

    expect(tool.name.length + (tool.description ?? '').length + JSON.stringify(tool.inputSchema).length).toBeLessThanOrEqual(700);
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  });
});
