import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import fc from 'fast-check';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';
import {
  confirmToken,
  cursorValue,
  extraArgs,
  filterText,
  hostileString,
  pageSize,
  recordData,
  recordId,
  selectValue,
  sometimesBad,
  tableName,
} from './fuzz-arbitraries';
import { describeOutcome, Outcome, runMarker, summary, tableCounts, tryCall, urlProblems } from './reliability-support';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/**
 * Property-based fuzzing of every tool's arguments against one spawned server over one Streamable HTTP connection.
 * Properties: the call ends in a normal result or an `isError` with a message (never a JSON-RPC error, except for an
 * unknown tool name); every request that reaches the emulator is fully encoded, stays under /api/data/v9.2/ and
 * carries each query option once; the server keeps answering; no record disappears.
 */
describe('reliability: fuzzed tool arguments', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let knownId: string;
  let realCursor: string;
  let before: Record<string, number>;
  const marker = runMarker('fuzz');
  const figures = { cases: 0, normal: 0, toolErrors: 0, protocolRejections: 0, requests: 0, badUrls: 0, protocolErrors: 0, deletes: 0 };
  const problems: string[] = [];

  /** Calls one tool and checks the outcome and every request it caused. Returns false (and records why) on a violation. */
  async function check(name: string, args: unknown, unknownTool = false): Promise<boolean> {
    emulator.requestLog.clear();
    const outcome: Outcome = await tryCall(client, name, args, 60_000);
    figures.cases++;
    const entries = emulator.requestLog.entries();
    figures.requests += entries.length;
    const why: string[] = [];
    if (outcome.kind === 'thrown') {
      const message = String((outcome.error as Error)?.message);
      // `arguments` that is not an object breaks the MCP request shape itself, so a JSON-RPC error is the right answer
      // there (the SDK sends -32603 with the schema error rather than -32602; either is accepted).
      const notAnObject = typeof args !== 'object' || args === null || Array.isArray(args);
      if ((unknownTool && /-32601|-32602|Unknown tool|not found/i.test(message)) || (notAnObject && /-3260[23]/.test(message)))
        figures.protocolRejections++;
      else {
        figures.protocolErrors++;
        why.push(describeOutcome(outcome));
      }
    } else if (outcome.kind === 'tool-error') {
      figures.toolErrors++;
      if (!outcome.result.text.trim()) why.push('isError without a message');
    } else figures.normal++;
    for (const e of entries) {
      if (e.method === 'DELETE') figures.deletes++;
      const p = urlProblems(e);
      if (p.length) {
        figures.badUrls++;
        why.push(`${e.method} ${JSON.stringify(e.url).slice(0, 300)}: ${p.join('; ')}`);
      }
    }
    if (why.length && problems.length < 10) problems.push(`${name} ${JSON.stringify(args)?.slice(0, 300)} -> ${why.join(' | ')}`);
    return why.length === 0;
  }

  /** Runs a property for one tool; on failure the message names the shrunk counterexample. */
  async function fuzz(name: string, args: fc.Arbitrary<unknown>, runs = RUNS): Promise<void> {
    await freshConnection();
    await assertProperty(
      fc.asyncProperty(args, async (a) => check(name, a)),
      runs,
    );
    const alive = await tryCall(client, 'list_tables', { filter: 'contact', limit: 3 });
    expect(describeOutcome(alive)).toMatch(/^ok: /);
  }

  /**
   * A new Streamable HTTP session per property: the SDK client's transport adds an abort listener per request to one
   * long-lived signal, and warns past 1,500 of them (a client-side leak; the server is the same process throughout).
   */
  async function freshConnection(): Promise<void> {
    await client?.close();
    client = await connectHttp(server.url);
  }

  /** fc.assert with a fixed seed, and a failure message cut short (counterexamples can be 60 KB strings). */
  async function assertProperty(
    property: fc.IAsyncProperty<[unknown]> | fc.IAsyncProperty<[string]>,
    runs: number,
    seed = Number(process.env.FUZZ_SEED ?? 20240901),
  ): Promise<void> {
    try {
      await fc.assert(property as fc.IAsyncProperty<[unknown]>, { numRuns: runs, seed });
    } catch (error) {
      const message = String((error as Error).message);
      throw new Error(message.length > 3000 ? `${message.slice(0, 3000)} ... (${message.length} characters)` : message);
    }
  }

  const withExtras = <T extends Record<string, unknown>>(rec: fc.Arbitrary<T>) =>
    fc.oneof(
      { weight: 5, arbitrary: rec as fc.Arbitrary<unknown> },
      { weight: 1, arbitrary: fc.tuple(rec, extraArgs).map(([r, x]) => ({ ...x, ...r })) },
      { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
    );

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { logLevel: 'error' });
    client = await connectHttp(server.url);
    const page = await tryCall(client, 'list_records', { table: 'contacts', select: 'fullname', top: 2 });
    const data = (page as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as {
      records: Array<{ contactid: string }>;
      nextCursor: string;
    };
    knownId = data.records[0].contactid;
    realCursor = data.nextCursor;
    before = tableCounts(emulator);
  });
  afterAll(async () => {
    await client?.close();
    const alive = server?.proc.exitCode === null;
    await server?.stop();
    await emulator?.close();
    summary('bad inputs tried', {
      cases: figures.cases,
      'normal results': figures.normal,
      'isError results': figures.toolErrors,
      'rejected as malformed requests (unknown tool, non-object arguments)': figures.protocolRejections,
      'Dataverse requests checked': figures.requests,
      'badly encoded requests': figures.badUrls,
      'protocol errors': figures.protocolErrors,
      'DELETE requests': figures.deletes,
      'server alive': alive ? 'yes' : 'no',
      'records lost': Object.entries(before ?? {}).filter(([set, n]) => (emulator ? emulator.store.count(set) < n : false)).length,
    });
  });
  beforeEach(() => void problems.splice(0));
  afterEach(() => expect(problems).toEqual([]));

  it('should fuzz list_records (table, filter, select, orderby, top, cursor)', async () => {
    await fuzz(
      'list_records',
      withExtras(
        fc.record(
          {
            table: sometimesBad(tableName),
            filter: sometimesBad(filterText),
            select: sometimesBad(selectValue),
            orderby: sometimesBad(fc.oneof(fc.constantFrom('fullname', 'fullname desc', 'createdon asc,fullname'), hostileString)),
            top: pageSize,
            cursor: sometimesBad(cursorValue(realCursor)),
          },
          { requiredKeys: [] },
        ),
      ),
      RUNS * 2,
    );
  }, 300_000);

  it('should deliver every filter that reaches Dataverse as exactly one $filter value, unchanged', async () => {
    await freshConnection();
    await assertProperty(
      fc.asyncProperty(filterText, async (filter) => {
        const ok = await check('list_records', { table: 'contacts', filter, select: 'fullname', top: 1 });
        const get = emulator.requestLog.entries().find((e) => e.method === 'GET' && e.url.startsWith('/api/data/v9.2/contacts?'));
        if (!get) return ok;
        if (!filter.trim()) return ok; // an empty filter is no filter
        const options = get.url.slice(get.url.indexOf('?') + 1).split('&');
        const filters = options.filter((o) => o.startsWith('$filter='));
        const sent = filters.length === 1 ? decodeURIComponent(filters[0].slice('$filter='.length)) : undefined;
        return ok && (sent === filter || sent === filter.trim()); // surrounding whitespace may be trimmed
      }),
      RUNS,
      7,
    );
  }, 300_000);

  it('should keep hostile select, orderby, top and ids on a valid table inside their own query options', async () => {
    await fuzz(
      'list_records',
      fc.record(
        { table: fc.constantFrom('contacts', 'account'), select: selectValue, orderby: hostileString, top: pageSize },
        { requiredKeys: ['table'] },
      ),
    );
    await fuzz('get_record', fc.record({ table: fc.constantFrom('contacts', 'account'), id: recordId(knownId), select: selectValue }));
  }, 300_000);

  it('should fuzz get_record (table, id, select)', async () => {
    await fuzz(
      'get_record',
      withExtras(
        fc.record(
          { table: sometimesBad(tableName), id: sometimesBad(recordId(knownId)), select: sometimesBad(selectValue) },
          { requiredKeys: [] },
        ),
      ),
    );
  }, 300_000);

  it('should fuzz get_table_schema, list_tables and refresh_schema_cache', async () => {
    await fuzz(
      'get_table_schema',
      withExtras(fc.record({ table: sometimesBad(tableName), includeReadOnly: sometimesBad(fc.boolean()) }, { requiredKeys: [] })),
    );
    await fuzz('list_tables', withExtras(fc.record({ filter: sometimesBad(hostileString), limit: pageSize }, { requiredKeys: [] })));
    await fuzz('refresh_schema_cache', withExtras(fc.record({ table: sometimesBad(tableName) }, { requiredKeys: [] })), RUNS / 2);
  }, 300_000);

  it('should fuzz create_record and update_record (table, id, data)', async () => {
    await fuzz('create_record', withExtras(fc.record({ table: sometimesBad(tableName), data: recordData(marker) }, { requiredKeys: [] })));
    await fuzz(
      'update_record',
      withExtras(
        fc.record({ table: sometimesBad(tableName), id: sometimesBad(recordId(knownId)), data: recordData(marker) }, { requiredKeys: [] }),
      ),
    );
  }, 300_000);

  it('should fuzz delete_record and confirm_delete_record without deleting anything', async () => {
    await fuzz(
      'delete_record',
      withExtras(fc.record({ table: sometimesBad(tableName), id: sometimesBad(recordId(knownId)) }, { requiredKeys: [] })),
    );
    await fuzz('confirm_delete_record', withExtras(fc.record({ token: confirmToken }, { requiredKeys: [] })));

    expect(figures.deletes).toBe(0);
    expect(emulator.store.get('contacts', knownId)).toBeDefined();
  }, 300_000);

  it('should fuzz the argument-less tools and unknown tool names', async () => {
    for (const name of ['sign_in', 'sign_out', 'get_my_identity']) await fuzz(name, withExtras(fc.constant({})), RUNS / 3);
    await freshConnection();
    await assertProperty(
      fc.asyncProperty(
        fc.oneof(hostileString, fc.constantFrom('list_records ', 'LIST_RECORDS', 'list-records', '__proto__', 'constructor', '')),
        async (name) => {
          const known = [
            'sign_in',
            'sign_out',
            'get_my_identity',
            'list_tables',
            'get_table_schema',
            'refresh_schema_cache',
            'list_records',
            'get_record',
            'create_record',
            'update_record',
            'delete_record',
            'confirm_delete_record',
          ];
          return check(name, {}, !known.includes(name));
        },
      ),
      RUNS / 2,
      11,
    );
  }, 300_000);

  it('should answer a 200 KB value with an isError naming the limit, send nothing, and keep answering', async () => {
    emulator.requestLog.clear();

    const big = await tryCall(client, 'create_record', {
      table: 'contacts',
      data: { firstname: marker, lastname: 'big', description: 'x'.repeat(200_000) },
    });
    const after = await tryCall(client, 'list_tables', { limit: 1 });

    // The HTTP listener accepts JSON up to 4 MB, so the schema check answers (description holds far fewer characters).
    expect(describeOutcome(big)).toMatch(/^tool-error: [\s\S]*description/);
    expect(emulator.requestLog.entries().filter((e) => e.method === 'POST')).toHaveLength(0);
    expect(describeOutcome(after)).toMatch(/^ok: /);
  });

  it('should still be running, with every record it started with', async () => {
    const after = tableCounts(emulator);
    const alive = await tryCall(client, 'get_record', { table: 'contacts', id: knownId, select: 'fullname' });

    expect(describeOutcome(alive)).toMatch(/^ok: /);
    expect(server.proc.exitCode).toBeNull();
    for (const [set, n] of Object.entries(before)) expect(after[set]).toBeGreaterThanOrEqual(n);
    expect(figures.cases).toBeGreaterThanOrEqual(RUNS * 10);
  });
});
