import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';
import { describeOutcome, Outcome, sleep, tryCall } from './reliability-support';

/**
 * Tool arguments built to cost the server time or to slip past validation — a 1 MB field name, 5,000 long field
 * names, deep nesting, unpaired surrogates, forged cursors — sent with the real SDK client to the built server.
 * Each is refused with a message naming the limit, promptly, while /healthz keeps answering.
 */
describe('reliability: hostile tool arguments', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let contactId: string;

  const call = (name: string, args: Record<string, unknown>) => tryCall(client, name, args, 30_000);
  const text = (o: Outcome) => (o.kind === 'thrown' ? describeOutcome(o) : o.result.text);
  const manyKeys = (n: number, length: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${i}_`.padEnd(length, 'q'), 'x']));

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { logLevel: 'error' });
    client = await connectHttp(server.url);
    const list = await call('list_records', { table: 'contacts', select: 'fullname', top: 1 });
    contactId = ((list as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { records: Array<{ contactid: string }> })
      .records[0].contactid;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should refuse one 1 MB field name at once, while /healthz keeps answering', async () => {
    const pending = call('update_record', { table: 'contact', id: contactId, data: { ['k'.repeat(1 << 20)]: 1 } });
    await sleep(300);
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    const o = await pending;

    expect(health.status).toBe(200);
    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('a key in argument "data" is 1048576 characters long; keys may have at most 200');
    expect(text(o).length).toBeLessThan(1_000);
  });

  it('should refuse 5,000 long field names, naming the limit', async () => {
    const o = await call('create_record', { table: 'contact', data: manyKeys(5_000, 200) });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('more than 500 keys in one object');
  });

  it('should answer 500 unknown field names within the limits with bounded suggestions', async () => {
    const o = await call('create_record', { table: 'contact', data: manyKeys(500, 100) });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('501 problems');
    expect(emulator.requestLog.entries().filter((e) => e.method === 'POST')).toHaveLength(0);
  });

  it('should refuse arguments nested deeper than the limit', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = { a: deep };
    const o = await call('create_record', { table: 'contact', data: { lastname: deep } });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('nested more than 10 levels deep');
  });

  it.each([
    ['list_records', { table: 'contacts', filter: "fullname eq '\ud800'" }, 'argument "filter"'],
    ['get_record', { table: 'contacts', select: 'fullname\udfff' }, 'argument "select"'],
    ['create_record', { table: 'contact', data: { lastname: 'a\ud83d' } }, 'argument "data"'],
  ])('should refuse an unpaired surrogate in %s with a clear message', async (tool, args, where) => {
    const o = await call(tool, { ...args, ...(tool === 'get_record' ? { id: contactId } : {}) });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain(`${where} contains an unpaired UTF-16 surrogate`);
    expect(text(o)).not.toMatch(/URI malformed|unexpected error/);
  });

  it('should refuse forged and edited cursors, and still page with a real one', async () => {
    const first = await call('list_records', { table: 'contacts', select: 'fullname', top: 2 });
    const cursor = ((first as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { nextCursor: string }).nextCursor;
    const state = { v: 1, e: 'x', u: 'x', t: 'contacts', l: 'contacts?$expand=parentcustomerid_account', n: 2, o: 0 };
    const forged = Buffer.from(JSON.stringify(state)).toString('base64url');
    emulator.requestLog.clear();

    expect(cursor.length).toBeLessThanOrEqual(128);
    for (const bad of [
      forged.slice(0, 128),
      `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`,
      cursor.slice(1),
      'A'.repeat(22),
    ]) {
      const o = await call('list_records', { table: 'contacts', cursor: bad });
      expect(o.kind).toBe('tool-error');
      expect(text(o)).toContain('cursor expired (or is not yours); run the query again without cursor');
    }
    expect(emulator.requestLog.entries().some((e) => e.url.includes('$expand'))).toBe(false);
    const next = await call('list_records', { table: 'contacts', cursor });
    expect(describeOutcome(next)).toMatch(/^ok:/);
  });
});
