/**
 * Per-call cost over stdio: dataverse-mcp beside the bare SDK pass-through server
 * (bench/fixtures/bare-sdk-stdio-passthrough.mjs), both against the same emulator process, sequential calls from the
 * SDK client, in alternating rounds; the ratio is of the medians of the per-round p50s (same run, side by side).
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MAIN, serverEnv } from '../../test/support/server-process';
import type { EmulatorProcess } from './emulator-process';
import { median, percentile } from './stats';
import { bareSchemaFile } from './bare-schema';

export interface StdioCallRow {
  label: string;
  oursP50: number;
  bareP50: number;
  ratio: number;
  goal: string;
}

const LIST = { table: 'contacts', select: 'fullname,emailaddress1,telephone1,statuscode', filter: 'statecode eq 0', top: 10 };

async function connect(args: string[], env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args, env: serverEnv(env) as Record<string, string>, stderr: 'ignore' }),
  );
  return client;
}

async function p50(client: Client, name: string, args: Record<string, unknown>, calls: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

export async function measureStdioCalls(emulator: EmulatorProcess, token: string, rounds = 5, calls = 300): Promise<StdioCallRow[]> {
  const env = { DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: token, LOG_LEVEL: 'info' };
  const ours = await connect([MAIN], env);
  const schemaFile = await bareSchemaFile(ours);
  const bare = await connect([join(__dirname, '..', 'fixtures', 'bare-sdk-stdio-passthrough.mjs')], {
    ...env,
    BARE_SCHEMA_FILE: schemaFile,
  });
  const cases = [
    { label: 'list_records pass-through', name: 'list_records', args: LIST, goal: '≤ 1.15× bare SDK' },
    { label: 'get_table_schema contact (cached)', name: 'get_table_schema', args: { table: 'contact' }, goal: '≤ 1.2× bare SDK' },
  ];
  try {
    const rows: StdioCallRow[] = [];
    for (const c of cases) {
      await p50(ours, c.name, c.args, 50); // warm: schema cached, JIT
      await p50(bare, c.name, c.args, 50);
      const o: number[] = [];
      const b: number[] = [];
      for (let r = 0; r < rounds; r++) {
        o.push(await p50(ours, c.name, c.args, calls));
        b.push(await p50(bare, c.name, c.args, calls));
      }
      const oursP50 = median(o);
      const bareP50 = median(b);
      rows.push({ label: c.label, oursP50, bareP50, ratio: oursP50 / bareP50, goal: c.goal });
    }
    return rows;
  } finally {
    await ours.close().catch(() => undefined);
    await bare.close().catch(() => undefined);
  }
}

export function stdioCallRows(rows: StdioCallRow[]): string[][] {
  return rows.map((r) => [
    'stdio per call',
    `${r.label}, 1 client, p50 (median of rounds)`,
    `${r.oursP50.toFixed(2)} ms vs bare SDK ${r.bareP50.toFixed(2)} ms = ${r.ratio.toFixed(2)}×`,
    r.goal,
  ]);
}
