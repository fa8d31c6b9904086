/**
 * Compact-result figures: the text the model reads for a 5-row and a 10-row list_records page (default view
 * columns), the contact schema, a delete_record proposal (and its summary text), and the length of a nextCursor.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp } from '../../test/support/mcp-clients';
import { spawnHttpServer } from '../../test/support/server-process';
import type { EmulatorProcess } from './emulator-process';
import type { QueryRow } from './query';

export interface CompactFigures {
  list5Chars: number;
  list10Chars: number;
  /** Average characters per record of the 10-row page's records (url included). */
  perRecordChars: number;
  nextCursorChars: number;
  schemaChars: number;
  deleteChars: number;
  deleteSummaryTextChars: number;
}

const textOf = (r: CallToolResult) => r.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

export async function measureCompact(client: Client): Promise<CompactFigures> {
  await call(client, 'list_records', { table: 'contacts', top: 10 }); // warm the schema and views
  const five = await call(client, 'list_records', { table: 'contacts', top: 5 });
  const ten = await call(client, 'list_records', { table: 'contacts', top: 10 });
  const records = (ten.structuredContent as { records: unknown[]; nextCursor?: string }).records;
  const schema = await call(client, 'get_table_schema', { table: 'contact' });
  const accounts = await call(client, 'list_records', { table: 'account', select: 'name', top: 1, orderby: 'name' });
  const accountId = (accounts.structuredContent as { records: Array<{ accountid: string }> }).records[0].accountid;
  const proposal = await call(client, 'delete_record', { table: 'account', id: accountId });
  const summary = (proposal.structuredContent as { summary?: { text: string } } | undefined)?.summary;
  return {
    list5Chars: textOf(five).length,
    list10Chars: textOf(ten).length,
    perRecordChars: JSON.stringify(records).length / Math.max(1, records.length),
    nextCursorChars: ((ten.structuredContent as { nextCursor?: string }).nextCursor ?? '').length,
    schemaChars: textOf(schema).length,
    deleteChars: textOf(proposal).length,
    deleteSummaryTextChars: summary?.text.length ?? textOf(proposal).length,
  };
}

export async function measureCompactWithServer(emulator: EmulatorProcess, token: string): Promise<CompactFigures> {
  const server = await spawnHttpServer({ MCP_TRANSPORT: 'http', DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: token });
  const client = await connectHttp(server.url);
  try {
    return await measureCompact(client);
  } finally {
    await client.close().catch(() => undefined);
    await server.stop();
  }
}

export function compactRows(c: CompactFigures): QueryRow[] {
  return [
    { measure: '`list_records` 5 contacts, default view columns', result: `${int(c.list5Chars)} chars of text`, goal: '' },
    {
      measure: '`list_records` 10 contacts, default view columns',
      result: `${int(c.list10Chars)} chars of text (${int(c.perRecordChars)} per record, url included); nextCursor ${c.nextCursorChars} chars`,
      goal: 'nextCursor ≤ 128',
    },
    { measure: '`get_table_schema contact`', result: `${int(c.schemaChars)} chars of text`, goal: '' },
    {
      measure: '`delete_record` account (proposal)',
      result: `${int(c.deleteChars)} chars of text; the summary's own text ${int(c.deleteSummaryTextChars)} chars`,
      goal: '',
    },
  ];
}
