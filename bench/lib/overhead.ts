/**
 * Added latency of the MCP server: a tool call over Streamable HTTP against the same Dataverse GETs sent straight to
 * the emulator (the exact URLs and Prefer headers the server sent, read back from the emulator's request log).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { EmulatorProcess } from './emulator-process';
import { directGet, mcpCall, timeCalls, Timing } from './load';

export interface OverheadCase {
  label: string;
  tool: string;
  args: Record<string, unknown>;
}

export interface OverheadRow {
  label: string;
  clients: number;
  /** Undefined when the tool makes no Dataverse request (served from the cache, or no Dataverse call at all). */
  direct?: Timing;
  mcp: Timing;
  dataverseRequests: number;
}

export const CONCURRENCY = [1, 16, 64];
/** Calls per client at each concurrency (about 400-1,600 calls per cell); BENCH_SCALE multiplies them. */
const CALLS: Record<number, number> = { 1: 400, 16: 60, 64: 25 };

export async function measureOverhead(
  emulator: EmulatorProcess,
  token: string,
  clients: Client[],
  cases: OverheadCase[],
): Promise<OverheadRow[]> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const rows: OverheadRow[] = [];
  for (const c of cases) {
    // Warm up (caches, sockets, JIT), then capture the Dataverse requests one call makes.
    for (let i = 0; i < 50; i++) await mcpCall(clients[i % clients.length], c.tool, c.args);
    await emulator.clearLog();
    await mcpCall(clients[0], c.tool, c.args);
    const requests = (await emulator.log()).filter((e) => e.method === 'GET');
    const direct = async () => {
      for (const r of requests) if ((await directGet(`${emulator.url}${r.url}`, token, r.headers.prefer)).status !== 200) return false;
      return true;
    };
    for (let i = 0; i < 50; i++) await direct();
    for (const n of CONCURRENCY) {
      const calls = Math.max(5, Math.round(CALLS[n] * scale));
      const d = requests.length ? await timeCalls(n, calls, () => direct()) : undefined;
      const m = await timeCalls(n, calls, (w) => mcpCall(clients[w], c.tool, c.args));
      rows.push({ label: c.label, clients: n, direct: d, mcp: m, dataverseRequests: requests.length });
    }
  }
  return rows;
}
