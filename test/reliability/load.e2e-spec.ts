import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { connectHttp } from '../support/mcp-clients';
import { startRedis, TestRedis } from '../support/redis-server';
import { SpawnedServer, spawnServerFor } from '../support/server-process';
import { countMarked, describeOutcome, Outcome, runMarker, summary, tableCounts, tryCall } from './reliability-support';

const CLIENTS = 64;
const CALLS_PER_CLIENT = 200;

/**
 * Load: 64 MCP clients over Streamable HTTP, 200 calls each, a mix of reads and writes, against the built server
 * with a real Redis. Every write is tagged with a run marker and counted in the emulator's store afterwards.
 */
describe('reliability: load (64 Streamable HTTP clients × 200 mixed calls)', () => {
  let emulator: EmulatorHandle;
  let redis: TestRedis;
  let server: SpawnedServer;
  let clients: Client[] = [];
  const marker = runMarker('load');
  const figures = { calls: 0, protocolErrors: 0, toolErrors: 0, creates: 0, updates: 0, lost: 0, seconds: '0' };

  beforeAll(async () => {
    emulator = await startEmulator();
    redis = await startRedis();
    server = await spawnServerFor(emulator, { redisUrl: redis.url, logLevel: 'warn' });
    clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectHttp(server.url)));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server?.stop();
    await redis?.stop();
    await emulator?.close();
    summary('load held', {
      clients: CLIENTS,
      calls: figures.calls,
      'protocol errors': figures.protocolErrors,
      'tool errors': figures.toolErrors,
      'records written': figures.creates,
      updates: figures.updates,
      'records lost': figures.lost,
      seconds: figures.seconds,
    });
  });

  it('should answer every call without a protocol error and keep every write exactly once', async () => {
    const sample = await tryCall(clients[0], 'list_records', { table: 'contacts', select: 'fullname', top: 5 });
    expect(sample.kind).toBe('ok');
    const knownIds = (
      (sample as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { records: Array<{ contactid: string }> }
    ).records.map((r) => r.contactid);
    const before = tableCounts(emulator);
    const created = new Map<string, { lastname: string; jobtitle?: string }>();
    const failures: string[] = [];
    const started = Date.now();

    await Promise.all(
      clients.map(async (client, w) => {
        let mine: string | undefined;
        for (let i = 0; i < CALLS_PER_CLIENT; i++) {
          const op = (w + i) % 6;
          let outcome: Outcome;
          if (op === 0)
            outcome = await tryCall(client, 'list_records', {
              table: 'contacts',
              select: 'fullname,emailaddress1,statuscode',
              filter: 'statecode eq 0',
              top: 10,
            });
          else if (op === 1)
            outcome = await tryCall(client, 'get_record', { table: 'contact', id: knownIds[i % knownIds.length], select: 'fullname' });
          else if (op === 2) outcome = await tryCall(client, 'get_table_schema', { table: i % 2 ? 'contact' : 'accounts' });
          else if (op === 3) {
            const lastname = `w${w}-c${i}`;
            outcome = await tryCall(client, 'create_record', { table: 'contacts', data: { firstname: marker, lastname } });
            if (outcome.kind === 'ok') {
              mine = (outcome.result.structuredContent as { id: string }).id;
              created.set(mine, { lastname });
              figures.creates++;
            }
          } else if (op === 4 && mine) {
            const jobtitle = `u${w}-${i}`;
            outcome = await tryCall(client, 'update_record', { table: 'contacts', id: mine, data: { jobtitle } });
            if (outcome.kind === 'ok') {
              created.get(mine)!.jobtitle = jobtitle;
              figures.updates++;
            }
          } else outcome = await tryCall(client, 'list_tables', { filter: 'a', limit: 10 });
          figures.calls++;
          if (outcome.kind === 'thrown') figures.protocolErrors++;
          if (outcome.kind === 'tool-error') figures.toolErrors++;
          if (outcome.kind !== 'ok' && failures.length < 5) failures.push(describeOutcome(outcome));
        }
      }),
    );
    figures.seconds = ((Date.now() - started) / 1000).toFixed(1);

    for (const [id, expected] of created) {
      const rec = emulator.store.get('contacts', id);
      if (
        !rec ||
        rec.firstname !== marker ||
        rec.lastname !== expected.lastname ||
        (expected.jobtitle && rec.jobtitle !== expected.jobtitle)
      )
        figures.lost++;
    }
    expect(failures).toEqual([]);
    expect(figures.calls).toBe(CLIENTS * CALLS_PER_CLIENT);
    expect(figures.lost).toBe(0);
    expect(countMarked(emulator, 'contacts', 'firstname', marker)).toBe(created.size);
    expect(created.size).toBe(figures.creates);
    expect(tableCounts(emulator)).toEqual({ ...before, contacts: before.contacts + created.size });
    expect(server.proc.exitCode).toBeNull();
  }, 240_000);
});
