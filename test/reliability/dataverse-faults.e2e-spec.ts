import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';
import { countMarked, describeOutcome, Outcome, runMarker, summary, tryCall } from './reliability-support';

/**
 * Dataverse faults injected by the emulator while the built server runs: 429 storms, 5xx bursts, added latency and
 * dropped connections. Retries stay bounded, errors say what happened, and no write lands twice (records are
 * counted in the emulator's store by a run marker).
 */
describe('reliability: Dataverse faults (throttling, 5xx, latency, dropped connections)', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let contactId: string;
  const marker = runMarker('dvfaults');
  const figures = { scenarios: 0, calls: 0, protocolErrors: 0, duplicates: 0, lost: 0 };

  const call = async (name: string, args: Record<string, unknown>, c: Client = client): Promise<Outcome> => {
    const o = await tryCall(c, name, args, 60_000);
    figures.calls++;
    if (o.kind === 'thrown') figures.protocolErrors++;
    return o;
  };
  const requests = (method?: string) => emulator.requestLog.entries().filter((e) => !method || e.method === method);
  const create = (lastname: string, c?: Client) => call('create_record', { table: 'contacts', data: { firstname: marker, lastname } }, c);
  const marked = (lastname: string) => emulator.store.count('contacts', (r) => r.firstname === marker && r.lastname === lastname);
  /** Asserts a write landed at most once (`expected` 0 or 1) and counts duplicates for the summary. */
  const expectWrittenTimes = (lastname: string, expected: 0 | 1) => {
    const n = marked(lastname);
    if (n > 1) figures.duplicates += n - 1;
    if (expected === 1 && n === 0) figures.lost++;
    expect(n).toBe(expected);
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { logLevel: 'warn' });
    client = await connectHttp(server.url);
    // Without select, so the table's default view (cached like the schema) is read before any fault is set.
    const list = await call('list_records', { table: 'contacts', top: 1 });
    contactId = ((list as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { records: Array<{ contactid: string }> })
      .records[0].contactid;
  });
  beforeEach(() => {
    emulator.controls.reset();
    emulator.requestLog.clear();
    figures.scenarios++;
  });
  afterAll(async () => {
    emulator?.controls.reset();
    await client?.close();
    await server?.stop();
    await emulator?.close();
    summary('Dataverse faults survived', {
      scenarios: figures.scenarios,
      calls: figures.calls,
      'protocol errors': figures.protocolErrors,
      'duplicate writes': figures.duplicates,
      'records lost': figures.lost,
      'server alive': server?.proc.exitCode === null || server?.proc.exitCode === 0 ? 'yes' : 'no',
    });
  });

  it('should ride out a 429 storm under 16 concurrent clients and write every record exactly once', async () => {
    const clients = await Promise.all(Array.from({ length: 16 }, () => connectHttp(server.url)));
    emulator.controls.set({ throttle: { first: 48, retryAfterSeconds: 1 } });

    const outcomes = await Promise.all(
      clients.map(async (c, w) => {
        const mine: Outcome[] = [];
        for (let i = 0; i < 3; i++) {
          mine.push(await create(`storm-${w}-${i}`, c));
          mine.push(await call('get_record', { table: 'contacts', id: contactId, select: 'fullname' }, c));
        }
        return mine;
      }),
    );
    await Promise.all(clients.map((c) => c.close()));

    expect(
      outcomes
        .flat()
        .filter((o) => o.kind !== 'ok')
        .map(describeOutcome),
    ).toEqual([]);
    for (let w = 0; w < 16; w++) for (let i = 0; i < 3; i++) expectWrittenTimes(`storm-${w}-${i}`, 1);
    expect(requests().filter((e) => e.status === 429)).toHaveLength(48);
    expect(requests('POST').filter((e) => e.status === 204 || e.status === 201)).toHaveLength(48);
  }, 90_000);

  it('should give up at once with a clear message when Retry-After is longer than the wait budget', async () => {
    emulator.controls.set({ throttle: { after: 0, retryAfterSeconds: 120 } });
    const started = Date.now();

    const read = await call('list_records', { table: 'contacts', top: 1 });
    const write = await create('throttled-long');

    expect(read.kind).toBe('tool-error');
    expect(describeOutcome(read)).toMatch(/throttling requests .*try again in 120 s/);
    expect(describeOutcome(write)).toMatch(/throttling requests .*The change was not applied/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(requests()).toHaveLength(2);
    expectWrittenTimes('throttled-long', 0);
  });

  // A storm of `Retry-After: 0` is bounded at 10 retries with backoff: src/dataverse/client/dataverse.client.spec.ts covers it
  // with short waits (here it would spend ~20 s backing off).

  it('should retry a read through a short 503 burst and succeed', async () => {
    emulator.controls.set({ failures: { status: 503, count: 2 } });

    const read = await call('get_record', { table: 'contacts', id: contactId, select: 'fullname' });

    expect(read.kind).toBe('ok');
    expect(requests().map((e) => e.status)).toEqual([503, 503, 200]);
  });

  it('should fail a read clearly after a bounded number of attempts when 502s persist', async () => {
    emulator.controls.set({ failures: { status: 502, count: 100 } });

    const read = await call('get_record', { table: 'contacts', id: contactId });

    expect(describeOutcome(read)).toMatch(/^tool-error: Dataverse is temporarily unavailable \(HTTP 502\)/);
    expect(requests()).toHaveLength(3);
  });

  it.each([500, 503] as const)('should never retry a create on %i, and write nothing', async (status) => {
    emulator.controls.set({ failures: { status, count: 1, methods: ['POST'] } });

    const write = await create(`five-${status}`);
    const again = await create(`five-${status}-again`);

    expect(write.kind).toBe('tool-error');
    expect(again.kind).toBe('ok');
    expect(describeOutcome(write)).toMatch(new RegExp(`HTTP ${status}|temporarily unavailable|unexpected`, 'i'));
    expect(requests('POST')).toHaveLength(2);
    expectWrittenTimes(`five-${status}`, 0);
    expectWrittenTimes(`five-${status}-again`, 1);
  });

  it('should answer correctly, only later, with 1.5 s of added latency on every Dataverse call', async () => {
    emulator.controls.set({ latencyMs: 1500 });
    const started = Date.now();

    const outcomes = await Promise.all([
      call('get_record', { table: 'contacts', id: contactId, select: 'fullname' }),
      call('list_records', { table: 'accounts', select: 'name', top: 3 }),
      create('slow'),
    ]);

    expect(outcomes.map((o) => o.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expectWrittenTimes('slow', 1);
  }, 30_000);

  it('should retry a read after a dropped connection', async () => {
    emulator.controls.set({ dropConnections: { count: 1, methods: ['GET'] } });

    const read = await call('get_record', { table: 'contacts', id: contactId, select: 'fullname' });

    expect(read.kind).toBe('ok');
    expect(requests().map((e) => e.status)).toEqual([0, 200]);
  });

  it('should not resend a create or update whose connection dropped, and say the write may not have happened', async () => {
    const created = await create('drop-update-target');
    const id = ((created as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { id: string }).id;
    emulator.requestLog.clear();
    emulator.controls.set({ dropConnections: { count: 2, methods: ['POST', 'PATCH'] } });

    const write = await create('dropped');
    const update = await call('update_record', { table: 'contacts', id, data: { jobtitle: 'dropped' } });

    expect(describeOutcome(write)).toMatch(/^tool-error: Could not reach Dataverse/);
    expect(describeOutcome(update)).toMatch(/^tool-error: Could not reach Dataverse/);
    expect(requests('POST')).toHaveLength(1);
    expect(requests('PATCH')).toHaveLength(1);
    expectWrittenTimes('dropped', 0);
    expect(emulator.store.get('contacts', id)?.jobtitle).not.toBe('dropped');
  });

  it('should keep serving once the faults stop, with every marked record still there', async () => {
    const read = await call('list_records', { table: 'contacts', filter: `firstname eq '${marker}'`, select: 'lastname', top: 500 });

    expect(read.kind).toBe('ok');
    const listed = ((read as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { records: unknown[] }).records.length;
    expect(listed).toBe(countMarked(emulator, 'contacts', 'firstname', marker));
    expect(figures.protocolErrors).toBe(0);
    expect(figures.duplicates).toBe(0);
    expect(server.proc.exitCode).toBeNull();
  });
});
