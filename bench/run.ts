/**
 * `npm run bench`: start-up, added latency and throughput, memory, and output size of dataverse-mcp, printed as one
 * table. Figures, not assertions. Public pieces only: Node, the MCP SDK client, the built server (`node dist/main.js`)
 * and the Dataverse emulator (src/sandbox), which runs in a process of its own.
 * Knobs: BENCH_STARTUP_RUNS (11), BENCH_SCALE (1 = 400/60/25 calls per client at 1/16/64 clients),
 * BENCH_SOAK_SECONDS (60). The tool surface's size alone: `npx ts-node --transpile-only bench/lib/surface.ts`. Raw figures go to bench/results/latest.json.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { connectHttp } from '../test/support/mcp-clients';
import { spawnHttpServer, SpawnedServer } from '../test/support/server-process';
import { bulkCreateRow, BulkCreateResult, measureBulkCreate } from './lib/bulk-create';
import { coldSchemaRow, measureColdSchema } from './lib/cold-schema';
import { measureStdioCalls, stdioCallRows } from './lib/stdio-calls';
import { httpCallRows, measureHttpCalls } from './lib/http-calls';
import { startEmulatorProcess, EmulatorProcess } from './lib/emulator-process';
import { closeDirectAgent } from './lib/load';
import { measureMemory, memoryMix, MemoryResult } from './lib/memory';
import { measureOverhead, OverheadRow } from './lib/overhead';
import { compactRows, measureCompactWithServer } from './lib/compact-results';
import { measureQueryWithServer, QueryRow, queryRows } from './lib/query';
import { measureSizes, SizeRow } from './lib/sizes';
import { measureStartup, StartupResult } from './lib/startup';
import { measureSurface, surfaceRows } from './lib/surface';

const LIST_ARGS = { table: 'contacts', select: 'fullname,emailaddress1,telephone1,statuscode', filter: 'statecode eq 0', top: 10 };

async function spawnServer(emulator: EmulatorProcess, token: string): Promise<SpawnedServer> {
  // LOG_LEVEL info is the default: the audit event of every call is part of what is measured.
  return spawnHttpServer({ MCP_TRANSPORT: 'http', DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: token, LOG_LEVEL: 'info' });
}

async function firstContactId(client: Client): Promise<string> {
  const r = await client.callTool({
    name: 'list_records',
    arguments: { table: 'contacts', select: 'fullname', top: 1, orderby: 'fullname' },
  });
  return (r.structuredContent as { records: Array<{ contactid: string }> }).records[0].contactid;
}

async function sizesAndOverhead(emulator: EmulatorProcess, token: string): Promise<{ sizes: SizeRow[]; overhead: OverheadRow[] }> {
  const server = await spawnServer(emulator, token);
  const clients = await Promise.all(Array.from({ length: 64 }, () => connectHttp(server.url)));
  try {
    const client = clients[0];
    const refresh = (table?: string) => (c: Client) => c.callTool({ name: 'refresh_schema_cache', arguments: table ? { table } : {} });
    // get_my_identity first: the server is fresh, so its identity is not cached yet.
    const sizes = await measureSizes(emulator, token, client, [{ label: 'get_my_identity', tool: 'get_my_identity', args: {} }]);
    const id = await firstContactId(client);
    sizes.push(
      ...(await measureSizes(emulator, token, client, [
        { label: 'list_tables (all)', tool: 'list_tables', args: { limit: 500 }, before: refresh() },
        { label: 'list_tables filter "contact"', tool: 'list_tables', args: { filter: 'contact' }, before: refresh() },
        { label: 'get_table_schema contact', tool: 'get_table_schema', args: { table: 'contact' }, before: refresh('contact') },
        {
          label: 'get_table_schema contact +read-only',
          tool: 'get_table_schema',
          args: { table: 'contact', includeReadOnly: true },
          before: refresh('contact'),
        },
        {
          label: 'list_records contacts top 10 (all fields)',
          tool: 'list_records',
          args: { table: 'contacts', top: 10, select: '*' },
          warm: true,
        },
        { label: 'list_records contacts top 10 (4 fields)', tool: 'list_records', args: LIST_ARGS, warm: true },
        { label: 'get_record contact (all fields)', tool: 'get_record', args: { table: 'contacts', id, select: '*' }, warm: true },
        {
          label: 'get_record contact (4 fields)',
          tool: 'get_record',
          args: { table: 'contacts', id, select: 'fullname,emailaddress1,parentcustomerid,statuscode' },
          warm: true,
        },
        { label: 'delete_record contact (proposal)', tool: 'delete_record', args: { table: 'contacts', id } },
        {
          label: 'create_record contact',
          tool: 'create_record',
          args: { table: 'contacts', data: { firstname: 'Bench', lastname: 'Size' } },
        },
        { label: 'sign_in (static token)', tool: 'sign_in', args: {} },
      ])),
    );
    const overhead = await measureOverhead(emulator, token, clients, [
      { label: 'list_records', tool: 'list_records', args: LIST_ARGS },
      { label: 'get_record', tool: 'get_record', args: { table: 'contacts', id, select: 'fullname,emailaddress1,statuscode' } },
      { label: 'get_table_schema (cached)', tool: 'get_table_schema', args: { table: 'contact' } },
      { label: 'sign_in (MCP floor: no Dataverse call)', tool: 'sign_in', args: {} },
    ]);
    return { sizes, overhead };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server.stop();
  }
}

async function memory(emulator: EmulatorProcess, token: string): Promise<MemoryResult> {
  const server = await spawnServer(emulator, token);
  const clients = await Promise.all(Array.from({ length: 16 }, () => connectHttp(server.url)));
  try {
    const id = await firstContactId(clients[0]);
    return await measureMemory(server.proc.pid!, clients, memoryMix(id, `bench-mem-${Date.now()}`));
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server.stop();
  }
}

// ---- one table ----

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const tokens = (chars: number) => int(chars / 4);

function table(
  startup: StartupResult[],
  overhead: OverheadRow[],
  mem: MemoryResult,
  sizes: SizeRow[],
  query: QueryRow[],
  bulk: BulkCreateResult,
  extra: string[][] = [],
): string {
  const rows: string[][] = [];
  const bare = startup[1].median;
  for (const s of startup) {
    const ratio = s.label.startsWith('dataverse-mcp') ? ` = ${(s.median / bare).toFixed(2)}× bare SDK` : '';
    rows.push([
      'start-up',
      `${s.label}: spawn → tools/list answered`,
      `median ${ms(s.median)} ms (min ${ms(s.min)}, max ${ms(s.max)}, n=${s.samples.length})${ratio}`,
      s.label === 'dataverse-mcp (stdio)' ? '≤ 1.1× bare SDK' : '',
    ]);
  }
  for (const r of overhead) {
    const m = r.mcp;
    const d = r.direct;
    const result = d
      ? `MCP ${ms(m.p50)} / ${ms(m.p95)} / ${ms(m.p99)} ms; direct ${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)} ms; added +${ms(m.p50 - d.p50)} / +${ms(m.p95 - d.p95)} / +${ms(m.p99 - d.p99)} ms`
      : `MCP ${ms(m.p50)} / ${ms(m.p95)} / ${ms(m.p99)} ms (no Dataverse request: all of it is added)`;
    const goal = r.clients === 16 && !r.label.startsWith('sign_in') ? 'added ≤ 1.5 ms p50, ≤ 5 ms p99' : '';
    rows.push([
      'latency p50/p95/p99',
      `${r.label}, ${r.clients} client${r.clients > 1 ? 's' : ''} (${int(m.calls)} calls${m.errors ? `, ${m.errors} errors` : ''})`,
      result,
      goal,
    ]);
  }
  for (const r of overhead.filter((x) => x.clients === 64)) {
    rows.push([
      'throughput',
      `${r.label}, 64 clients`,
      `${int(r.mcp.rps)} calls/s through MCP${r.direct ? `; ${int(r.direct.rps)} GET sets/s direct` : ''}`,
      '',
    ]);
  }
  rows.push(bulkCreateRow(bulk));
  rows.push(['memory (RSS)', 'server idle after start-up', `${mem.idleMb.toFixed(1)} MB`, '≤ 120 MB']);
  rows.push([
    'memory (RSS)',
    `after ${int(mem.afterCalls)} calls (16 clients)`,
    `${mem.afterMb.toFixed(1)} MB${mem.callErrors ? ` (${mem.callErrors} errors)` : ''}`,
    '≤ 150 MB',
  ]);
  const ys = mem.samples.map(([, y]) => y);
  rows.push([
    'memory (RSS)',
    `${mem.soakSeconds} s soak, 8 clients (${int(mem.soakCalls)} calls), sampled every 5 s`,
    `${Math.min(...ys).toFixed(1)}–${Math.max(...ys).toFixed(1)} MB; trend ${mem.slopeMbPerMin >= 0 ? '+' : ''}${mem.slopeMbPerMin.toFixed(2)} MB/min (r² ${mem.r2.toFixed(2)})`,
    'no growth trend',
  ]);
  for (const s of sizes) {
    const raw =
      s.rawChars !== undefined
        ? `; raw Web API JSON ${int(s.rawChars)} chars ≈ ${tokens(s.rawChars)} tokens (${(s.rawChars / s.chars).toFixed(1)}×)`
        : '';
    rows.push(['output size', s.label, `${int(s.chars)} chars ≈ ${tokens(s.chars)} tokens${raw}`, '']);
  }
  for (const q of query) rows.push(['query', q.measure, q.result, q.goal]);
  rows.push(...extra);
  const header = ['area', 'measure', 'result', 'goal'];
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const startup = await measureStartup(Number(process.env.BENCH_STARTUP_RUNS ?? 11));
  const surface = await measureSurface();
  const emulator = await startEmulatorProcess();
  try {
    const token = await emulator.issueToken();
    const { sizes, overhead } = await sizesAndOverhead(emulator, token);
    const mem = await memory(emulator, token);
    const query = await measureQueryWithServer(emulator, token);
    const compact = await measureCompactWithServer(emulator, token);
    const bulk = await measureBulkCreate(emulator, token);
    const coldSchema = await measureColdSchema(emulator, token);
    const stdioCalls = await measureStdioCalls(emulator, token);
    const httpCalls = await measureHttpCalls(emulator, token);
    const environment = {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadavgAtEnd: loadavg(),
      startedAt: startedAt.toISOString(),
    };
    const out = table(startup, overhead, mem, sizes, [...queryRows(query), ...compactRows(compact)], bulk, [
      ...surfaceRows(surface),
      coldSchemaRow(coldSchema),
      ...stdioCallRows(stdioCalls),
      ...httpCallRows(httpCalls),
    ]);
    console.log(
      `dataverse-mcp benchmarks — Node ${process.version}, ${cpus().length} CPUs; load generator, server and emulator are 3 processes`,
    );
    console.log(out);
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'latest.json'),
      JSON.stringify(
        {
          environment,
          startup,
          overhead,
          memory: mem,
          sizes,
          query,
          compact,
          bulkCreate: bulk,
          surface,
          coldSchema,
          stdioCalls,
          httpCalls,
        },
        null,
        2,
      ),
    );
    writeFileSync(join(dir, 'latest.md'), `${out}\n`);
    console.log(
      `raw figures: bench/results/latest.json (load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')})`,
    );
  } finally {
    closeDirectAgent();
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
