/**
 * Cold get_table_schema with the emulator's latency fault (every Web API request waits `latencyMs`): the call after
 * refresh_schema_cache (schema, views, relationships and the table list all dropped) beside a list_records call that
 * makes exactly one Dataverse request, through the same server, in alternating rounds.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp } from '../../test/support/mcp-clients';
import { spawnHttpServer } from '../../test/support/server-process';
import type { EmulatorProcess } from './emulator-process';
import { median } from './stats';

export interface ColdSchemaResult {
  latencyMs: number;
  rounds: number;
  coldMs: number;
  oneRequestMs: number;
  ratio: number;
  /** Dataverse requests of one cold call, and how many request waves they took (by start time). */
  requests: number;
}

const LIST = { table: 'contacts', select: 'fullname', top: 1 };

async function timed(client: Client, name: string, args: Record<string, unknown>): Promise<number> {
  const t = performance.now();
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  return performance.now() - t;
}

export async function measureColdSchema(emulator: EmulatorProcess, token: string, latencyMs = 50, rounds = 15): Promise<ColdSchemaResult> {
  const server = await spawnHttpServer({
    MCP_TRANSPORT: 'http',
    DATAVERSE_URL: emulator.url,
    DATAVERSE_ACCESS_TOKEN: token,
    LOG_LEVEL: 'info',
  });
  const client = await connectHttp(server.url);
  const faults = (body?: object) =>
    fetch(`${emulator.url}/_emulator/faults`, { method: body ? 'PUT' : 'DELETE', body: body ? JSON.stringify(body) : undefined });
  try {
    await timed(client, 'list_records', LIST); // warm contact's schema for the one-request call
    await faults({ latencyMs });
    const cold: number[] = [];
    const one: number[] = [];
    let requests = 0;
    for (let i = 0; i < rounds; i++) {
      await client.callTool({ name: 'refresh_schema_cache', arguments: { table: 'account' } });
      await emulator.clearLog();
      cold.push(await timed(client, 'get_table_schema', { table: 'account' }));
      requests = (await emulator.log()).length;
      one.push(await timed(client, 'list_records', LIST));
    }
    const coldMs = median(cold);
    const oneRequestMs = median(one);
    return { latencyMs, rounds, coldMs, oneRequestMs, ratio: coldMs / oneRequestMs, requests };
  } finally {
    await faults().catch(() => undefined);
    await client.close().catch(() => undefined);
    await server.stop();
  }
}

export function coldSchemaRow(r: ColdSchemaResult): string[] {
  return [
    'cold schema',
    `get_table_schema account after refresh_schema_cache, ${r.latencyMs} ms per Web API request (${r.requests} requests; median of ${r.rounds})`,
    `${r.coldMs.toFixed(0)} ms vs ${r.oneRequestMs.toFixed(0)} ms for a one-request list_records = ${r.ratio.toFixed(2)}×`,
    '≤ 1.1× a one-request call',
  ];
}
