import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { normalizeObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';
import { startEmulator, EmulatorHandle } from '../../sandbox';
import { HALVORSEN_ACCOUNT_ID, HALVORSEN_PROJECT_ID } from '../../sandbox/data/seed-search';
import { SearchService } from '../../dataverse/search/search.service';
import { startReadPath, ReadPathFixture } from '../../dataverse/testing/read-path.fixture';
import { SearchTools } from './search.tools';

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

describe('search_records tool', () => {
  let emulator: EmulatorHandle;
  let f: ReadPathFixture;
  let tools: SearchTools;
  const run = (args: Parameters<SearchTools['searchRecords']>[0]) => f.inCall(() => tools.searchRecords(args));

  beforeAll(async () => {
    emulator = await startEmulator();
    f = await startReadPath({ emulator, client: { maxThrottleWaitMs: 1000 } });
    tools = new SearchTools(f.get(SearchService));
  });
  afterAll(async () => {
    await f.close();
    await emulator.close();
  });
  afterEach(() => {
    emulator.controls.setSearchEnabled(true);
    emulator.controls.reset();
  });

  it('should keep name, description and JSON input schema within 700 characters, read-only with every hint set', () => {
    const meta = Reflect.getMetadata(MCP_TOOL_METADATA_KEY, SearchTools.prototype.searchRecords) as {
      name: string;
      description: string;
      parameters: Parameters<typeof normalizeObjectSchema>[0];
      annotations: Record<string, unknown>;
    };
    const schema = JSON.stringify(toJsonSchemaCompat(normalizeObjectSchema(meta.parameters)!));

    const size = meta.name.length + meta.description.length + schema.length;
    expect(size).toBeLessThanOrEqual(700);
    expect(meta.annotations).toEqual({
      title: 'Search records',
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
  });

  it('should send one searchquery with SearchColumns from searchstatus when tables narrows the search', async () => {
    emulator.requestLog.clear();

    const { result } = await run({ query: 'Halvorsen', tables: ['cr8a1_projects'] });

    const posts = emulator.requestLog.entries().filter((e) => e.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].url).toMatch(/\/searchquery$/);
    const entities = JSON.parse((posts[0].body as { entities: string }).entities);
    expect(entities).toEqual([
      {
        Name: 'cr8a1_project',
        SelectColumns: ['cr8a1_name', 'cr8a1_code', 'cr8a1_description'],
        SearchColumns: ['cr8a1_name', 'cr8a1_code', 'cr8a1_description'],
      },
    ]);
    expect(result.structuredContent).toMatchObject({
      results: [{ table: 'cr8a1_project', id: HALVORSEN_PROJECT_ID, name: 'Halvorsen dry dock crane retrofit' }],
      totalCount: 1,
    });
  });

  it('should find the account before the project when both carry the word', async () => {
    const { result } = await run({ query: 'halvorsen' });
    const data = result.structuredContent as { results: Array<{ table: string; id: string }> };

    expect(data.results.map((r) => [r.table, r.id])).toEqual([
      ['account', HALVORSEN_ACCOUNT_ID],
      ['cr8a1_project', HALVORSEN_PROJECT_ID],
    ]);
    expect(text(result)).toMatch(/^2 results for "halvorsen"\./);
  });

  it('should fall back to a primary-name search and say so when search is off', async () => {
    emulator.controls.setSearchEnabled(false);
    emulator.requestLog.clear();

    const { result } = await run({ query: "Halvorsen's", tables: ['account', 'cr8a1_project'] });

    expect(emulator.requestLog.entries().map((e) => decodeURIComponent(e.url))).toEqual(
      expect.arrayContaining([expect.stringContaining("$filter=contains(name,'Halvorsen''s')")]),
    );
    expect(result.structuredContent).toMatchObject({ results: [], fallback: { tables: ['account', 'cr8a1_project'] } });
    expect(text(result)).toContain('this is a fallback that searched only the primary name of account, cr8a1_project');
  });

  it('should say a failed search changed nothing when Dataverse answers 503', async () => {
    await run({ query: 'Halvorsen', tables: ['account'] });
    emulator.controls.set({ failures: { status: 503, count: 1, methods: ['POST'] } });

    await expect(run({ query: 'Halvorsen', tables: ['account'] })).rejects.toThrow(
      'Dataverse search did not answer (unavailable, HTTP 503); try again in a moment.',
    );
  });

  it('should say how long to wait when Dataverse search throttles', async () => {
    await run({ query: 'Halvorsen', tables: ['account'] });
    emulator.controls.set({ throttle: { after: 0, retryAfterSeconds: 30 } });

    await expect(run({ query: 'Halvorsen', tables: ['account'] })).rejects.toThrow(
      'Dataverse search is throttling requests (it allows about one search per second per user); try again in 30 s.',
    );
  });
});
