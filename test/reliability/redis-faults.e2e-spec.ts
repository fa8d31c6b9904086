import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { connectHttp } from '../support/mcp-clients';
import { startRedis, TestRedis } from '../support/redis-server';
import { SpawnedServer, spawnServerFor } from '../support/server-process';
import { describeOutcome, eventually, Outcome, runMarker, sleep, summary, tableCounts, tryCall } from './reliability-support';

/**
 * Redis stopped in the middle of a run and started again (empty, as after a crash), while 8 clients keep reading:
 * reads go on from Dataverse, deletes fail closed with a clear message, and the schema cache and delete proposals
 * work again after the restart.
 */
describe('reliability: Redis outage mid-run', () => {
  let emulator: EmulatorHandle;
  let redis: TestRedis;
  let server: SpawnedServer;
  let client: Client;
  const marker = runMarker('redis');
  const figures = { backgroundCalls: 0, protocolErrors: 0, readErrors: 0, deletesRefused: 0, lost: 0, recovered: 'no' };
  const failures: string[] = [];
  let loadRunning = false;
  let load: Promise<void> = Promise.resolve();

  const ok = (o: Outcome) => {
    expect(describeOutcome(o)).toMatch(/^ok: /);
    return (o as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as Record<string, unknown>;
  };
  const newContact = async (lastname: string) =>
    ok(await tryCall(client, 'create_record', { table: 'contacts', data: { firstname: marker, lastname } })).id as string;

  /** 8 clients reading in a loop for as long as `loadRunning` is true. */
  async function startReadLoad(): Promise<void> {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connectHttp(server.url)));
    loadRunning = true;
    load = Promise.all(
      clients.map(async (c, w) => {
        for (let i = 0; loadRunning; i++) {
          const o =
            (w + i) % 3 === 0
              ? await tryCall(c, 'get_table_schema', { table: 'contact' })
              : (w + i) % 3 === 1
                ? await tryCall(c, 'list_records', { table: 'accounts', select: 'name', top: 5 })
                : await tryCall(c, 'get_my_identity', {});
          figures.backgroundCalls++;
          if (o.kind === 'thrown') figures.protocolErrors++;
          if (o.kind === 'tool-error') figures.readErrors++;
          if (o.kind !== 'ok' && failures.length < 5) failures.push(describeOutcome(o));
        }
        await c.close();
      }),
    ).then(() => undefined);
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    redis = await startRedis();
    server = await spawnServerFor(emulator, { redisUrl: redis.url, logLevel: 'warn' });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    loadRunning = false;
    await load;
    await client?.close();
    await server?.stop();
    await redis?.stop();
    await emulator?.close();
    summary('Redis outage survived', {
      'background reads': figures.backgroundCalls,
      'protocol errors': figures.protocolErrors,
      'failed reads': figures.readErrors,
      'deletes refused while down': figures.deletesRefused,
      'recovered after restart': figures.recovered,
      'records lost': figures.lost,
    });
  });

  it('should keep reads going, refuse deletes clearly, and recover cache and proposals after a restart', async () => {
    // Arrange: warm cache, a pending proposal, readers running.
    ok(await tryCall(client, 'get_table_schema', { table: 'contact' }));
    const keep = await newContact('kept-through-outage');
    const pending = ok(await tryCall(client, 'delete_record', { table: 'contacts', id: keep })).token as string;
    await startReadLoad();
    await sleep(500);
    const before = tableCounts(emulator);

    // Act 1: Redis goes away.
    await redis.stop();
    await sleep(1000);
    const schemaWhileDown = await tryCall(client, 'get_table_schema', { table: 'account' });
    const listWhileDown = await tryCall(client, 'list_records', { table: 'contacts', select: 'fullname', top: 3 });
    const proposeWhileDown = await tryCall(client, 'delete_record', { table: 'contacts', id: keep });
    const confirmWhileDown = await tryCall(client, 'confirm_delete_record', { token: pending });
    const ready = await fetch(`${server.url}/readyz`);

    // Assert 1
    expect(describeOutcome(schemaWhileDown)).toMatch(/^ok: /);
    expect(describeOutcome(listWhileDown)).toMatch(/^ok: /);
    expect(describeOutcome(proposeWhileDown)).toMatch(/^tool-error: .*\(Redis\) is unavailable.*nothing was deleted/i);
    expect(describeOutcome(confirmWhileDown)).toMatch(/^tool-error: .*\(Redis\) is unavailable.*Nothing was deleted/);
    figures.deletesRefused += [proposeWhileDown, confirmWhileDown].filter((o) => o.kind === 'tool-error').length;
    expect(emulator.requestLog.entries().filter((e) => e.method === 'DELETE')).toHaveLength(0);
    expect(emulator.store.get('contacts', keep)).toBeDefined();
    expect(ready.status).toBe(503);

    // Act 2: Redis comes back, empty.
    await redis.restart();
    const recovered = await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 15_000, 200);
    expect(recovered).toBe(true);
    const proposal = await eventually(
      async () => (await tryCall(client, 'delete_record', { table: 'contacts', id: keep })).kind === 'ok',
      10_000,
      200,
    );
    expect(proposal).toBe(true);
    const target = await newContact('deleted-after-restart');
    const token = ok(await tryCall(client, 'delete_record', { table: 'contacts', id: target })).token as string;
    const confirmed = await tryCall(client, 'confirm_delete_record', { token });
    const oldToken = await tryCall(client, 'confirm_delete_record', { token: pending });
    ok(await tryCall(client, 'get_table_schema', { table: 'lead' }));
    emulator.requestLog.clear();
    const cached = await tryCall(client, 'get_table_schema', { table: 'lead' });
    const keys = (await redis.command('KEYS', 'mcp:*')) as string[];
    loadRunning = false;
    await load;

    // Assert 2
    expect(describeOutcome(confirmed)).toMatch(/^ok: /);
    expect(emulator.store.get('contacts', target)).toBeUndefined();
    expect(describeOutcome(oldToken)).toMatch(/^tool-error: /); // the proposal died with Redis: it never deletes
    expect(emulator.store.get('contacts', keep)).toBeDefined();
    expect(describeOutcome(cached)).toMatch(/^ok: /);
    expect(emulator.requestLog.entries().filter((e) => /lead/i.test(e.url))).toHaveLength(0);
    expect(keys.some((k) => k.endsWith(':schema:lead'))).toBe(true);
    figures.recovered = 'yes';
    figures.lost = before.contacts - tableCounts(emulator).contacts; // one contact created and one deleted on purpose since
    expect(figures.lost).toBe(0);
    expect(failures).toEqual([]);
    expect(figures.protocolErrors).toBe(0);
  }, 90_000);
});
