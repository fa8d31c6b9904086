/**
 * Server CPU spent answering refused tool arguments: one 1 MB field name, 5,000 long field names, 500 unknown
 * field names within the limits (the "did you mean" path), an unpaired surrogate in a filter, and a small typo
 * for comparison. The built server runs against the emulator; its CPU time is read from /proc/<pid>/stat
 * (utime + stime, 10 ms ticks) around N repetitions of each call, so the figure is an average per call.
 * Run: `npm run build && npx ts-node --transpile-only bench/refused-input-cpu.ts [repetitions=20]`.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator } from '../src/sandbox';
import { connectHttp } from '../test/support/mcp-clients';
import { spawnServerFor } from '../test/support/server-process';

const REPS = Number(process.argv[2] ?? 20);
const TICK_MS = 10;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const manyKeys = (n: number, length: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${i}_`.padEnd(length, 'q'), 'x']));

async function main() {
  const emulator = await startEmulator();
  const server = await spawnServerFor(emulator, { logLevel: 'error' });
  const client: Client = await connectHttp(server.url);
  const contact = await client.callTool({ name: 'list_records', arguments: { table: 'contacts', select: 'fullname', top: 1 } });
  const id = (contact.structuredContent as { records: Array<{ contactid: string }> }).records[0].contactid;
  await client.callTool({ name: 'get_table_schema', arguments: { table: 'contact' } });

  const cases: Array<{ label: string; tool: string; args: Record<string, unknown> }> = [
    {
      label: 'update_record, one 1 MB field name',
      tool: 'update_record',
      args: { table: 'contact', id, data: { ['k'.repeat(1 << 20)]: 1 } },
    },
    {
      label: 'update_record, 5,000 field names of 200 chars',
      tool: 'update_record',
      args: { table: 'contact', id, data: manyKeys(5_000, 200) },
    },
    { label: 'create_record, 500 unknown names of 100 chars', tool: 'create_record', args: { table: 'contact', data: manyKeys(500, 100) } },
    {
      label: 'list_records, unpaired surrogate in filter',
      tool: 'list_records',
      args: { table: 'contacts', filter: "fullname eq '\ud800'" },
    },
    { label: 'update_record, one typo ("fulname")', tool: 'update_record', args: { table: 'contact', id, data: { fulname: 'x' } } },
  ];
  console.log(`server CPU per refused call, average of ${REPS} calls (ms; /proc ticks of ${TICK_MS} ms)`);
  console.log('| case | CPU ms per call | wall ms per call | refused |');
  console.log('|---|---:|---:|---|');
  for (const c of cases) {
    await client.callTool({ name: c.tool, arguments: c.args }); // warm-up
    const cpu0 = cpuMs(server.proc.pid!);
    const t0 = Date.now();
    let refused = true;
    for (let i = 0; i < REPS; i++) {
      const r = await client.callTool({ name: c.tool, arguments: c.args });
      refused &&= r.isError === true;
    }
    const cpu = (cpuMs(server.proc.pid!) - cpu0) / REPS;
    console.log(`| ${c.label} | ${cpu.toFixed(1)} | ${((Date.now() - t0) / REPS).toFixed(1)} | ${refused ? 'yes' : 'NO'} |`);
  }
  await client.close();
  await server.stop();
  await emulator.close();
}

void main();
