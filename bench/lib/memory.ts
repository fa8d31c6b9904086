/**
 * Memory of the server process (VmRSS from /proc/<pid>/status): idle after start-up, after 10,000 tool calls, and a
 * soak under steady load sampled every 5 s with a least-squares trend.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mcpCall, timeCalls } from './load';
import { linearTrend, rssMb, sleep } from './stats';

export interface MemoryResult {
  idleMb: number;
  afterCalls: number;
  afterMb: number;
  callErrors: number;
  soakSeconds: number;
  soakCalls: number;
  /** [seconds since the soak started, MB] */
  samples: Array<[number, number]>;
  slopeMbPerMin: number;
  r2: number;
}

type Mix = (client: Client, i: number) => Promise<boolean>;

export async function measureMemory(
  pid: number,
  clients: Client[],
  mix: Mix,
  options: { calls?: number; soakSeconds?: number } = {},
): Promise<MemoryResult> {
  const calls = options.calls ?? 10_000;
  const soakSeconds = options.soakSeconds ?? Number(process.env.BENCH_SOAK_SECONDS ?? 60);
  await sleep(2000);
  const idleMb = rssMb(pid);

  const perClient = Math.ceil(calls / clients.length);
  const run = await timeCalls(clients.length, perClient, (w, i) => mix(clients[w], i));
  const afterMb = rssMb(pid);

  // Soak: 8 clients calling without pause, RSS sampled every 5 s.
  const soakClients = clients.slice(0, 8);
  let running = true;
  let soakCalls = 0;
  const load = Promise.all(
    soakClients.map(async (c) => {
      for (let i = 0; running; i++) {
        await mix(c, i).catch(() => false);
        soakCalls++;
      }
    }),
  );
  const samples: Array<[number, number]> = [];
  const started = Date.now();
  for (let t = 0; t <= soakSeconds; t += 5) {
    const wait = started + t * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    samples.push([t, rssMb(pid)]);
  }
  running = false;
  await load;
  const trend = linearTrend(samples);
  return {
    idleMb,
    afterCalls: run.calls,
    afterMb,
    callErrors: run.errors,
    soakSeconds,
    soakCalls,
    samples,
    slopeMbPerMin: trend.slope * 60,
    r2: trend.r2,
  };
}

/** The call mix of the memory run: list, get, cached schema, tables, and a create now and then. */
export function memoryMix(contactId: string, marker: string): Mix {
  return (client, i) => {
    switch (i % 5) {
      case 0:
        return mcpCall(client, 'list_records', { table: 'contacts', select: 'fullname,emailaddress1', top: 10 });
      case 1:
        return mcpCall(client, 'get_record', { table: 'contacts', id: contactId, select: 'fullname' });
      case 2:
        return mcpCall(client, 'get_table_schema', { table: 'contact' });
      case 3:
        return i % 50 === 3
          ? mcpCall(client, 'create_record', { table: 'contacts', data: { firstname: marker, lastname: `m${i}` } })
          : mcpCall(client, 'list_tables', { filter: 'a', limit: 10 });
      default:
        return mcpCall(client, 'get_my_identity', {});
    }
  };
}
