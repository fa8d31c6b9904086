import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * The bare SDK floors answer get_table_schema with the very result dataverse-mcp gives (the same bytes to write):
 * asks `ours` for it and writes it to a file for BARE_SCHEMA_FILE (bench/fixtures/bare-sdk-passthrough-tools.mjs).
 */
export async function bareSchemaFile(ours: Client, table = 'contact'): Promise<string> {
  const schema = (await ours.callTool({ name: 'get_table_schema', arguments: { table } })) as CallToolResult;
  const file = join(mkdtempSync(join(tmpdir(), 'bench-schema-')), 'schema.json');
  writeFileSync(file, JSON.stringify({ content: schema.content, structuredContent: schema.structuredContent }));
  return file;
}
