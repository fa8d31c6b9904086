/**
 * search_records: latency of one call (p50/p95) and answer size, with Dataverse search on (all tables, narrowed)
 * and off (the primary-name fallback), against the emulator. Figures, not assertions.
 * Run: npx ts-node --transpile-only bench/search.ts [calls=40]   (needs a fresh `npm run build`)
 */
import { startEmulator } from '../src/sandbox';
import { connectHttp } from '../test/support/mcp-clients';
import { spawnServerFor } from '../test/support/server-process';
import { percentile } from './lib/stats';

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 40);
  const emulator = await startEmulator();
  const server = await spawnServerFor(emulator, { logLevel: 'warn' });
  const client = await connectHttp(server.url);
  const cases: Array<{ label: string; args: Record<string, unknown>; searchOn: boolean }> = [
    { label: 'all tables, "Coffee", top 10', args: { query: 'Coffee' }, searchOn: true },
    { label: 'all tables, "Coffee", top 100', args: { query: 'Coffee', top: 100 }, searchOn: true },
    { label: 'tables account+cr8a1_project', args: { query: 'Halvorsen', tables: ['account', 'cr8a1_project'] }, searchOn: true },
    { label: 'search off: fallback, 4 default tables', args: { query: 'Coffee' }, searchOn: false },
  ];
  const rows: string[] = [];
  try {
    for (const c of cases) {
      emulator.controls.setSearchEnabled(c.searchOn);
      const ms: number[] = [];
      let size = 0;
      let requests = 0;
      for (let i = 0; i < calls + 3; i++) {
        emulator.requestLog.clear();
        const t0 = process.hrtime.bigint();
        const r = await client.callTool({ name: 'search_records', arguments: c.args });
        const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
        if (i < 3) continue; // warm-up: table list and search status get cached
        ms.push(elapsed);
        size = JSON.stringify(r.content).length;
        requests = emulator.requestLog.entries().length;
      }
      rows.push(
        `${c.label.padEnd(42)} p50 ${percentile(ms, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(ms, 95).toFixed(1).padStart(6)} ms  ` +
          `answer ${String(size).padStart(6)} chars  Dataverse requests ${requests}`,
      );
    }
  } finally {
    await client.close();
    await server.stop();
    await emulator.close();
  }
  process.stdout.write(`search_records, ${calls} calls per case (one client, Streamable HTTP, emulator in process)\n${rows.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
