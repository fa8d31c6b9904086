import * as http from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { percentile } from './stats';

export interface Timing {
  calls: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  /** Completed calls per second over the whole run. */
  rps: number;
}

/** Runs `callsPerClient` sequential calls on each of `concurrency` workers at once and times every call. */
export async function timeCalls(
  concurrency: number,
  callsPerClient: number,
  op: (worker: number, i: number) => Promise<boolean>,
): Promise<Timing> {
  const times: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; i < callsPerClient; i++) {
        const t = performance.now();
        const ok = await op(w, i).catch(() => false);
        times.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  const wall = performance.now() - started;
  return {
    calls: times.length,
    errors,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    rps: (times.length / wall) * 1000,
  };
}

/** One MCP tool call; true when it returned a result that is not an error. */
export async function mcpCall(client: Client, name: string, args: Record<string, unknown>): Promise<boolean> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return !result.isError;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

/** A GET straight to the emulator with the headers the server sends (keep-alive, like the server's own agent). */
export function directGet(url: string, token: string, prefer?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'OData-MaxVersion': '4.0',
      'OData-Version': '4.0',
    };
    if (prefer) headers.Prefer = prefer;
    const req = http.request(url, { agent, headers });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function closeDirectAgent(): void {
  agent.destroy();
}
