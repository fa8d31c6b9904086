/**
 * `npm run build && npx ts-node --transpile-only bench/memory.ts`: the memory figures alone (RSS idle, after 10,000
 * calls from 16 clients over Streamable HTTP, and the soak). bench/run.ts prints the same rows in its table.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectHttp } from '../test/support/mcp-clients';
import { spawnHttpServer } from '../test/support/server-process';
import { startEmulatorProcess } from './lib/emulator-process';
import { measureMemory, memoryMix } from './lib/memory';

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess();
  try {
    const token = await emulator.issueToken();
    const server = await spawnHttpServer({
      MCP_TRANSPORT: 'http',
      DATAVERSE_URL: emulator.url,
      DATAVERSE_ACCESS_TOKEN: token,
      LOG_LEVEL: 'info',
      NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS,
    });
    const clients = await Promise.all(Array.from({ length: 16 }, () => connectHttp(server.url)));
    try {
      const r = await clients[0].callTool({ name: 'list_records', arguments: { table: 'contacts', select: 'fullname', top: 1 } });
      const id = (r.structuredContent as { records: Array<{ contactid: string }> }).records[0].contactid;
      const mem = await measureMemory(server.proc.pid!, clients, memoryMix(id, `bench-mem-${Date.now()}`));
      const ys = mem.samples.map(([, y]) => y);
      console.log(`| memory (RSS) | server idle after start-up | ${mem.idleMb.toFixed(1)} MB | ≤ 120 MB |`);
      console.log(
        `| memory (RSS) | after ${mem.afterCalls} calls (16 clients) | ${mem.afterMb.toFixed(1)} MB (${mem.callErrors} errors) | ≤ 150 MB |`,
      );
      console.log(
        `| memory (RSS) | ${mem.soakSeconds} s soak (${mem.soakCalls} calls) | ${Math.min(...ys).toFixed(1)}–${Math.max(...ys).toFixed(1)} MB; trend ${mem.slopeMbPerMin.toFixed(2)} MB/min (r² ${mem.r2.toFixed(2)}) | no growth trend |`,
      );
    } finally {
      await Promise.all(clients.map((c: Client) => c.close().catch(() => undefined)));
      await server.stop();
    }
  } finally {
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
