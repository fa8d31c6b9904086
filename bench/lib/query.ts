/**
 * Query figures: the size of list_records without select (default view columns) beside `select: "*"`, and
 * "contacts per owner" answered by aggregate_records beside paging through list_records and counting.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp } from '../../test/support/mcp-clients';
import { spawnHttpServer } from '../../test/support/server-process';
import type { EmulatorProcess } from './emulator-process';

export interface QueryRow {
  measure: string;
  result: string;
  goal: string;
}

export interface QueryFigures {
  defaultColumnsChars: number;
  allFieldsChars: number;
  aggregate: { chars: number; structuredChars: number; calls: number; requests: number; groups: number };
  paging: { chars: number; calls: number; requests: number; groups: number };
}

const textOf = (r: CallToolResult) => r.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export async function measureQuery(emulator: EmulatorProcess, client: Client): Promise<QueryFigures> {
  await call(client, 'list_records', { table: 'contacts', top: 10 }); // warm the schema and views
  const defaultColumnsChars = textOf(await call(client, 'list_records', { table: 'contacts', top: 10 })).length;
  const allFieldsChars = textOf(await call(client, 'list_records', { table: 'contacts', top: 10, select: '*' })).length;

  await emulator.clearLog();
  const agg = await call(client, 'aggregate_records', { table: 'contact', groupBy: ['ownerid'] });
  const aggregate = {
    chars: textOf(agg).length,
    structuredChars: JSON.stringify(agg.structuredContent).length,
    calls: 1,
    requests: (await emulator.log()).length,
    groups: (agg.structuredContent as { groupCount: number }).groupCount,
  };

  await emulator.clearLog();
  const owners = new Set<string>();
  let chars = 0;
  let calls = 0;
  let page = await call(client, 'list_records', { table: 'contact', select: 'ownerid', top: 500 });
  for (;;) {
    calls++;
    chars += textOf(page).length;
    const data = page.structuredContent as { records: Array<{ ownerid?: { id: string } }>; hasMore: boolean; nextCursor?: string };
    for (const r of data.records) if (r.ownerid) owners.add(r.ownerid.id);
    if (!data.hasMore) break;
    page = await call(client, 'list_records', { table: 'contact', cursor: data.nextCursor });
  }
  const paging = { chars, calls, requests: (await emulator.log()).length, groups: owners.size };
  return { defaultColumnsChars, allFieldsChars, aggregate, paging };
}

/** The figures with a server of their own (LOG_LEVEL warn), so they do not depend on what ran before. */
export async function measureQueryWithServer(emulator: EmulatorProcess, token: string): Promise<QueryFigures> {
  const server = await spawnHttpServer({
    MCP_TRANSPORT: 'http',
    DATAVERSE_URL: emulator.url,
    DATAVERSE_ACCESS_TOKEN: token,
    LOG_LEVEL: 'warn',
  });
  const client = await connectHttp(server.url);
  try {
    return await measureQuery(emulator, client);
  } finally {
    await client.close();
    await server.stop();
  }
}

export function queryRows(q: QueryFigures): QueryRow[] {
  return [
    {
      measure: 'list_records contacts top 10, no select (default view columns)',
      result: `${int(q.defaultColumnsChars)} chars (select "*": ${int(q.allFieldsChars)} chars)`,
      goal: '≤ 6,000 chars',
    },
    {
      measure: '"contacts per owner": aggregate_records groupBy ownerid',
      result: `${int(q.aggregate.chars)} chars of text (structuredContent ${int(q.aggregate.structuredChars)}), ${q.aggregate.calls} call, ${q.aggregate.requests} Dataverse request(s), ${q.aggregate.groups} groups`,
      goal: 'one call',
    },
    {
      measure: '"contacts per owner": paging list_records (select ownerid, top 500) and counting',
      result: `${int(q.paging.chars)} chars, ${q.paging.calls} calls, ${q.paging.requests} Dataverse requests, ${q.paging.groups} owners (${(q.paging.chars / q.aggregate.chars).toFixed(0)}× the characters)`,
      goal: '',
    },
  ];
}
