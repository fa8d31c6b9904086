/**
 * Read-path benchmark (figures, not a timed test).
 *  1. Added latency of `list_records` through MCP Streamable HTTP (the built server, `node dist/main.js`)
 *     against the same GET sent straight to the emulator, p50/p95 at 1 and 32 concurrent clients.
 *  2. Output size of `get_table_schema contact` and `list_records contacts top 50` against the raw Web API JSON,
 *     and characters per schema field.
 * Run: `npm run build && npx ts-node --transpile-only bench/read/read-overhead.ts [callsPerClient]`.
 */
import * as http from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp } from '../../test/support/mcp-clients';
import { spawnHttpServer } from '../../test/support/server-process';

const CALLS = Number(process.argv[2] ?? 200);
const SELECT = 'fullname,emailaddress1,telephone1,statuscode';
const FILTER = 'statecode eq 0';
const TOP = 10;
const ANNOTATIONS = 'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function rawGet(url: string, token: string, prefer: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      agent,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        'OData-MaxVersion': '4.0',
        'OData-Version': '4.0',
        Prefer: prefer,
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(concurrency: number, op: (worker: number) => Promise<unknown>): Promise<{ p50: number; p95: number; rps: number }> {
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; i < CALLS; i++) {
        const t = performance.now();
        await op(w);
        times.push(performance.now() - t);
      }
    }),
  );
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), rps: (times.length / total) * 1000 };
}

const fmt = (n: number) => n.toFixed(2).padStart(7);

async function latency(emulator: EmulatorHandle, token: string, url: string): Promise<void> {
  const direct = `${emulator.apiUrl}contacts?$select=${encodeURIComponent(SELECT)}&$filter=${encodeURIComponent(FILTER)}`;
  const prefer = `${ANNOTATIONS},odata.maxpagesize=${TOP}`;
  const clients: Client[] = await Promise.all(Array.from({ length: 32 }, () => connectHttp(url)));
  const mcpCall = (w: number) => callTool(clients[w], 'list_records', { table: 'contacts', select: SELECT, filter: FILTER, top: TOP });
  // Warm up: caches (table list, schema), sockets, JIT.
  for (let i = 0; i < 50; i++) await Promise.all([mcpCall(i % 32), rawGet(direct, token, prefer)]);

  console.log(`\nlist_records contacts (select ${SELECT}, filter "${FILTER}", top ${TOP}); ${CALLS} calls per client`);
  console.log('"MCP floor" = sign_in in static-token mode: a tool call that makes no Dataverse request (transport + SDK + Nest pipeline).');
  console.log('clients | direct p50   p95 |    MCP p50   p95 | added p50   p95 (ms) | ratio p50 | MCP calls/s | floor p50   p95');
  for (const concurrency of [1, 32]) {
    const d = await measure(concurrency, () => rawGet(direct, token, prefer));
    const m = await measure(concurrency, (w) => mcpCall(w));
    const floor = await measure(concurrency, (w) => callTool(clients[w], 'sign_in'));
    console.log(
      `${String(concurrency).padStart(7)} | ${fmt(d.p50)} ${fmt(d.p95)} | ${fmt(m.p50)} ${fmt(m.p95)} | ${fmt(m.p50 - d.p50)} ${fmt(m.p95 - d.p95)} | ${(m.p50 / d.p50).toFixed(1).padStart(9)} | ${m.rps.toFixed(0).padStart(11)} | ${fmt(floor.p50)} ${fmt(floor.p95)}`,
    );
  }
  await Promise.all(clients.map((c) => c.close()));
}

async function sizes(emulator: EmulatorHandle, token: string, url: string): Promise<void> {
  const client = await connectHttp(url);
  const schema = await callTool(client, 'get_table_schema', { table: 'contact' });
  const fields = (schema.structuredContent as { fields: unknown[] }).fields.length;
  const schemaAll = await callTool(client, 'get_table_schema', { table: 'contact', includeReadOnly: true });
  const fieldsAll = (schemaAll.structuredContent as { fields: unknown[] }).fields.length;
  const rawAttributes = await rawGet(`${emulator.apiUrl}EntityDefinitions(LogicalName='contact')/Attributes`, token, '');
  const rawPicklists = await rawGet(
    `${emulator.apiUrl}EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`,
    token,
    '',
  );
  const rawRelationships = await rawGet(`${emulator.apiUrl}EntityDefinitions(LogicalName='contact')/ManyToOneRelationships`, token, '');
  const rawSchema = rawAttributes.length + rawPicklists.length + rawRelationships.length;

  const list = await callTool(client, 'list_records', { table: 'contacts', top: 50 });
  const listData = list.structuredContent as { records: unknown[]; truncated?: boolean };
  const rawList = await rawGet(`${emulator.apiUrl}contacts`, token, 'odata.include-annotations="*",odata.maxpagesize=50');
  const rawCount = (JSON.parse(rawList) as { value: unknown[] }).value.length;
  const listSel = await callTool(client, 'list_records', {
    table: 'contacts',
    top: 50,
    select: 'fullname,emailaddress1,parentcustomerid,statuscode',
  });
  const rawSel = await rawGet(
    `${emulator.apiUrl}contacts?$select=fullname,emailaddress1,_parentcustomerid_value,statuscode`,
    token,
    'odata.include-annotations="*",odata.maxpagesize=50',
  );
  await client.close();

  console.log('\noutput size (characters of tool text vs raw Web API JSON)');
  console.log(
    `get_table_schema contact:            ${schema.text.length} chars, ${fields} fields, ${(schema.text.length / fields).toFixed(1)} chars/field`,
  );
  console.log(
    `get_table_schema contact +read-only: ${schemaAll.text.length} chars, ${fieldsAll} fields, ${(schemaAll.text.length / fieldsAll).toFixed(1)} chars/field`,
  );
  console.log(
    `  raw: Attributes ${rawAttributes.length} + Picklist options ${rawPicklists.length} + ManyToOne ${rawRelationships.length} = ${rawSchema} chars ` +
      `(${(rawSchema / schemaAll.text.length).toFixed(0)}x the +read-only output)`,
  );
  console.log(
    `list_records contacts top 50 (all fields): ${list.text.length} chars for ${listData.records.length} records${listData.truncated ? ' (cut at the 40k budget)' : ''}, ` +
      `${(list.text.length / listData.records.length).toFixed(0)} chars/record; raw ${rawList.length} chars for ${rawCount}, ${(rawList.length / rawCount).toFixed(0)} chars/record ` +
      `(${(rawList.length / rawCount / (list.text.length / listData.records.length)).toFixed(1)}x)`,
  );
  const selCount = (listSel.structuredContent as { records: unknown[] }).records.length;
  console.log(
    `list_records contacts top 50 (4 fields): ${listSel.text.length} chars for ${selCount} records; raw ${rawSel.length} chars (${(rawSel.length / listSel.text.length).toFixed(1)}x)`,
  );
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const token = emulator.issueToken();
  const server = await spawnHttpServer({
    MCP_TRANSPORT: 'http',
    DATAVERSE_URL: emulator.url,
    DATAVERSE_ACCESS_TOKEN: token,
    LOG_LEVEL: 'warn',
  });
  try {
    await sizes(emulator, token, server.url);
    await latency(emulator, token, server.url);
  } finally {
    await server.stop();
    await emulator.close();
    agent.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
