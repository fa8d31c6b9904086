/**
 * Per-call cost over Streamable HTTP: dataverse-mcp beside the bare SDK stateless pass-through server
 * (bench/fixtures/bare-sdk-http-passthrough.mjs: a new server and transport per request, the SDK's own example), both
 * against the same emulator process, driven by SDK clients, in alternating rounds. Per case and concurrency: p50 of
 * the calls, server CPU per call (user + system time of the server process, from /proc), and calls per second.
 * Ratios are of the medians of the per-round figures (same run, side by side).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectHttp } from '../../test/support/mcp-clients';
import { freePort, serverEnv, spawnHttpServer, stopProcess } from '../../test/support/server-process';
import type { EmulatorProcess } from './emulator-process';
import { timeCalls } from './load';
import { median } from './stats';
import { bareSchemaFile } from './bare-schema';

const LIST = { table: 'contacts', select: 'fullname,emailaddress1,telephone1,statuscode', filter: 'statecode eq 0', top: 10 };

export interface HttpCallRow {
  label: string;
  clients: number;
  ours: { p50: number; cpuMs: number; rps: number };
  bare: { p50: number; cpuMs: number; rps: number };
}

interface Side {
  pid: number;
  clients: Client[];
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function run(side: Side, n: number, calls: number, name: string, args: Record<string, unknown>) {
  const before = cpuMs(side.pid);
  const t = await timeCalls(n, calls, async (w) => {
    const r = (await side.clients[w].callTool({ name, arguments: args })) as CallToolResult;
    return !r.isError;
  });
  if (t.errors) throw new Error(`${name}: ${t.errors} calls failed`);
  return { p50: t.p50, cpuMs: (cpuMs(side.pid) - before) / t.calls, rps: t.rps };
}

async function spawnBare(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'bare-sdk-http-passthrough.mjs'), String(port)], {
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.once('data', () => resolve());
    proc.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return proc;
}

export async function measureHttpCalls(emulator: EmulatorProcess, token: string, rounds = 3): Promise<HttpCallRow[]> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const env = { DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: token, LOG_LEVEL: 'info' };
  const server = await spawnHttpServer({ ...env, MCP_TRANSPORT: 'http', NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS });
  const port = await freePort();
  let bareProc: ChildProcess | undefined;
  const all: Client[] = [];
  try {
    const oursClients = await Promise.all(Array.from({ length: 64 }, () => connectHttp(server.url)));
    all.push(...oursClients);
    bareProc = await spawnBare(port, { ...env, BARE_SCHEMA_FILE: await bareSchemaFile(oursClients[0]) });
    const bareClients = await Promise.all(Array.from({ length: 64 }, () => connectHttp(`http://127.0.0.1:${port}`)));
    all.push(...bareClients);
    const ours: Side = { pid: server.proc.pid!, clients: oursClients };
    const bare: Side = { pid: bareProc.pid!, clients: bareClients };
    const cases = [
      { label: 'list_records pass-through', name: 'list_records', args: LIST },
      { label: 'get_table_schema contact (cached)', name: 'get_table_schema', args: { table: 'contact' } },
    ];
    const calls: Record<number, number> = { 1: 300, 16: 40, 64: 20 };
    const rows: HttpCallRow[] = [];
    for (const c of cases) {
      for (const side of [ours, bare]) await run(side, 16, 10, c.name, c.args); // warm: caches, sockets, JIT
      for (const n of [1, 16, 64]) {
        const o: Array<Awaited<ReturnType<typeof run>>> = [];
        const b: Array<Awaited<ReturnType<typeof run>>> = [];
        for (let r = 0; r < rounds; r++) {
          const k = Math.max(5, Math.round(calls[n] * scale));
          o.push(await run(ours, n, k, c.name, c.args));
          b.push(await run(bare, n, k, c.name, c.args));
        }
        const pick = (xs: typeof o) => ({
          p50: median(xs.map((x) => x.p50)),
          cpuMs: median(xs.map((x) => x.cpuMs)),
          rps: median(xs.map((x) => x.rps)),
        });
        rows.push({ label: c.label, clients: n, ours: pick(o), bare: pick(b) });
      }
    }
    return rows;
  } finally {
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
    if (bareProc) await stopProcess(bareProc);
    await server.stop();
  }
}

export function httpCallRows(rows: HttpCallRow[]): string[][] {
  return rows.map((r) => {
    const { ours: o, bare: b } = r;
    const figures =
      r.clients === 64
        ? `${Math.round(o.rps)} calls/s vs bare SDK ${Math.round(b.rps)} = ${(o.rps / b.rps).toFixed(2)}×`
        : `p50 ${o.p50.toFixed(2)} vs ${b.p50.toFixed(2)} ms = ${(o.p50 / b.p50).toFixed(2)}×; CPU ${o.cpuMs.toFixed(2)} vs ${b.cpuMs.toFixed(2)} ms/call = ${(o.cpuMs / b.cpuMs).toFixed(2)}×`;
    const goal = r.clients === 64 ? 'throughput ≥ 2× the previous handler (README: side by side)' : '≤ 1× bare SDK';
    return ['HTTP per call', `${r.label}, ${r.clients} client${r.clients > 1 ? 's' : ''} (median of rounds)`, figures, goal];
  });
}
