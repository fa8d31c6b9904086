/**
 * Output size per tool for fixed sandbox inputs: characters of the text the model reads (≈ tokens at 4 characters
 * each) beside the raw Web API JSON of the same Dataverse requests (re-sent with the same Prefer header).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { EmulatorProcess } from './emulator-process';
import { directGet } from './load';

export interface SizeRow {
  label: string;
  chars: number;
  structuredChars: number;
  /** Characters of the raw Web API JSON of the same GETs; undefined for writes and calls without a Dataverse GET. */
  rawChars?: number;
  requests: number;
}

export interface SizeCase {
  label: string;
  tool: string;
  args: Record<string, unknown>;
  /** Run before the measured call (e.g. refresh_schema_cache so the GETs happen). */
  before?: (client: Client) => Promise<unknown>;
  /** Call once first so incidental metadata is cached and only the tool's own GETs are counted. */
  warm?: boolean;
}

export async function measureSizes(emulator: EmulatorProcess, token: string, client: Client, cases: SizeCase[]): Promise<SizeRow[]> {
  const rows: SizeRow[] = [];
  for (const c of cases) {
    if (c.warm) await client.callTool({ name: c.tool, arguments: c.args });
    await c.before?.(client);
    await emulator.clearLog();
    const result = (await client.callTool({ name: c.tool, arguments: c.args })) as CallToolResult;
    const text = result.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
    const requests = await emulator.log();
    const gets = requests.filter((e) => e.method === 'GET');
    let rawChars: number | undefined;
    if (gets.length && gets.length === requests.length) {
      rawChars = 0;
      for (const g of gets) rawChars += (await directGet(`${emulator.url}${g.url}`, token, g.headers.prefer)).body.length;
    }
    rows.push({
      label: c.label,
      chars: text.length,
      structuredChars: JSON.stringify(result.structuredContent ?? null).length,
      rawChars,
      requests: requests.length,
    });
  }
  return rows;
}
