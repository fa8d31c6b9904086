import type { EmulatorProcess } from './emulator-process';
import { connectHttp } from '../../test/support/mcp-clients';
import { spawnHttpServer } from '../../test/support/server-process';

/** "N contacts created": one create_records call against N create_record calls (1 client, in sequence). */
export interface BulkCreateResult {
  rows: number;
  bulk: { ms: number; requests: number };
  single: { ms: number; requests: number };
}

export async function measureBulkCreate(emulator: EmulatorProcess, token: string, rows = 1000): Promise<BulkCreateResult> {
  const server = await spawnHttpServer({
    MCP_TRANSPORT: 'http',
    DATAVERSE_URL: emulator.url,
    DATAVERSE_ACCESS_TOKEN: token,
    LOG_LEVEL: 'info',
  });
  const client = await connectHttp(server.url);
  try {
    // Warm the schema cache so both runs start from the same state.
    await client.callTool({ name: 'create_record', arguments: { table: 'contacts', data: { lastname: 'BenchWarm' } } });
    const data = (i: number, tag: string) => ({ firstname: `Bench${i}`, lastname: tag, emailaddress1: `bench${i}@example.com` });

    await emulator.clearLog();
    let started = process.hrtime.bigint();
    const r = await client.callTool(
      { name: 'create_records', arguments: { table: 'contacts', records: Array.from({ length: rows }, (_, i) => data(i, 'BenchBulk')) } },
      undefined,
      { timeout: 300_000 },
    );
    const bulkMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.isError) throw new Error(`create_records failed: ${JSON.stringify(r.content)}`);
    const bulkRequests = (await emulator.log()).length;

    await emulator.clearLog();
    started = process.hrtime.bigint();
    for (let i = 0; i < rows; i++) {
      const one = await client.callTool({ name: 'create_record', arguments: { table: 'contacts', data: data(i, 'BenchSingle') } });
      if (one.isError) throw new Error(`create_record failed: ${JSON.stringify(one.content)}`);
    }
    const singleMs = Number(process.hrtime.bigint() - started) / 1e6;
    const singleRequests = (await emulator.log()).length;
    return { rows, bulk: { ms: bulkMs, requests: bulkRequests }, single: { ms: singleMs, requests: singleRequests } };
  } finally {
    await client.close().catch(() => undefined);
    await server.stop();
  }
}

export function bulkCreateRow(r: BulkCreateResult): string[] {
  const n = r.rows.toLocaleString('en-US');
  return [
    'throughput',
    `${n} contacts created: one create_records vs ${n} create_record calls (1 client)`,
    `${(r.bulk.ms / 1000).toFixed(2)} s in ${r.bulk.requests} Dataverse request vs ${(r.single.ms / 1000).toFixed(2)} s in ${r.single.requests.toLocaleString('en-US')} requests (${(r.single.ms / r.bulk.ms).toFixed(1)}× faster)`,
    '',
  ];
}
