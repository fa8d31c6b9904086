import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { readFileSync } from 'node:fs';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import type { FaultSettings } from '../../src/sandbox';
import { connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';
import { describeOutcome, Outcome, runMarker, summary, tryCall } from './reliability-support';

type Hostile = NonNullable<FaultSettings['hostileResponses']>;

/**
 * Responses no real Dataverse should give — a gzip bomb, an 80 MB page, a create whose success reply is cut off,
 * an HTML page, `{"value": null}` — injected by the emulator while the built server runs. Each becomes a clear
 * tool error; the server stays up (a second call and /healthz succeed) and its memory stays bounded.
 */
describe('reliability: hostile Dataverse responses', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let contactId: string;
  const marker = runMarker('hostile');
  const figures = { scenarios: 0, peakRssMb: 0 };

  const call = (name: string, args: Record<string, unknown>) => tryCall(client, name, args, 60_000);
  const text = (o: Outcome) => (o.kind === 'thrown' ? describeOutcome(o) : o.result.text);
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const hostile = (h: Hostile) => emulator.controls.set({ hostileResponses: h });
  /** The server is alive and answers: /healthz and an ordinary call. */
  const expectStillServing = async () => {
    emulator.controls.reset();
    expect(server.proc.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const again = await call('get_record', { table: 'contacts', id: contactId, select: 'fullname' });
    expect(describeOutcome(again)).toMatch(/^ok:/);
    figures.peakRssMb = Math.max(figures.peakRssMb, rssMb());
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { logLevel: 'error' });
    client = await connectHttp(server.url);
    const list = await call('list_records', { table: 'contacts', select: 'fullname', top: 1 });
    contactId = ((list as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { records: Array<{ contactid: string }> })
      .records[0].contactid;
    await call('get_table_schema', { table: 'contact' });
  });
  beforeEach(() => {
    emulator.controls.reset();
    figures.scenarios++;
  });
  afterAll(async () => {
    emulator?.controls.reset();
    summary('Hostile Dataverse responses survived', {
      scenarios: figures.scenarios,
      'peak server RSS (MB)': Math.round(figures.peakRssMb),
      'server alive': server?.proc.exitCode === null ? 'yes' : 'no',
    });
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should refuse a gzip response that inflates to 1 GB with a clear error and keep serving', async () => {
    hostile({ kind: 'gzipBomb', count: 3, methods: ['GET'], pathIncludes: '/contacts' });

    const o = await call('list_records', { table: 'contacts', select: 'fullname' });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('larger than 64 MB');
    expect(text(o)).toContain('smaller top');
    await expectStillServing();
    expect(rssMb()).toBeLessThan(700);
  });

  it('should refuse an 80 MB page with a clear error and keep serving', async () => {
    hostile({ kind: 'hugePage', count: 3, methods: ['GET'], pathIncludes: '/contacts' });

    const o = await call('list_records', { table: 'contacts' });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('larger than 64 MB');
    await expectStillServing();
    expect(rssMb()).toBeLessThan(700);
  });

  it('should say a create whose success reply was cut off may have created the record, and create it only once', async () => {
    hostile({ kind: 'truncatedSuccess', count: 1, methods: ['POST'] });

    const o = await call('create_record', { table: 'contacts', data: { firstname: marker, lastname: 'cut-create' } });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('the record may have been created. Check with list_records before retrying');
    expect(text(o)).not.toMatch(/try again|unexpected error/i);
    expect(emulator.store.count('contacts', (r) => r.firstname === marker && r.lastname === 'cut-create')).toBe(1);
    await expectStillServing();
  });

  it('should say an update whose success reply was cut off may have been applied', async () => {
    hostile({ kind: 'truncatedSuccess', count: 1, methods: ['PATCH'] });

    const o = await call('update_record', { table: 'contacts', id: contactId, data: { jobtitle: `cut ${marker}` } });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('the change may have been applied. Check with get_record before retrying');
    expect(emulator.store.get('contacts', contactId)?.jobtitle).toBe(`cut ${marker}`);
    await expectStillServing();
  });

  it('should say a confirmed delete whose reply was unreadable may have deleted the record', async () => {
    const created = await call('create_record', { table: 'contacts', data: { firstname: marker, lastname: 'cut-delete' } });
    const id = ((created as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { id: string }).id;
    const proposal = await call('delete_record', { table: 'contacts', id });
    const { token } = (proposal as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { token: string };
    hostile({ kind: 'truncatedSuccess', count: 1, methods: ['DELETE'] });

    const o = await call('confirm_delete_record', { token });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('may have been deleted');
    expect(text(o)).toContain('get_record');
    expect(text(o)).not.toMatch(/unexpected error/i);
    expect(emulator.store.get('contacts', id)).toBeUndefined();
    await expectStillServing();
  });

  it('should say a confirmed delete whose connection dropped has an unknown outcome and a used-up token', async () => {
    const created = await call('create_record', { table: 'contacts', data: { firstname: marker, lastname: 'drop-delete' } });
    const id = ((created as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { id: string }).id;
    const proposal = await call('delete_record', { table: 'contacts', id });
    const { token } = (proposal as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { token: string };
    emulator.controls.set({ dropConnections: { count: 1, methods: ['DELETE'] } });

    const o = await call('confirm_delete_record', { token });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain('The outcome is unknown');
    expect(text(o)).toContain('the confirmation token is used up');
    await expectStillServing();
  });

  it.each<[Hostile['kind'], string, string, Record<string, unknown>]>([
    ['html', 'get_record', 'not JSON', { table: 'contacts', id: '' }],
    ['nullValue', 'list_records', 'value is not a list', { table: 'contacts', select: 'fullname' }],
    ['emptyBody', 'list_records', 'empty body', { table: 'contacts', select: 'fullname' }],
  ])('should turn a %s answer to %s into a clear error', async (kind, tool, expected, args) => {
    hostile({ kind, count: 1, methods: ['GET'], pathIncludes: '/contacts' });

    const o = await call(tool, { ...args, ...(tool === 'get_record' ? { id: contactId } : {}) });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain(expected);
    expect(text(o)).not.toMatch(/unexpected error|Cannot read properties/);
    await expectStillServing();
  });

  it.each<[Hostile['kind'], string]>([
    ['foreignNextLink', 'outside this environment'],
    ['strayNextLink', 'does not follow'],
  ])('should stop paging at a %s, hand out no cursor, and page normally afterwards', async (kind, expected) => {
    hostile({ kind, count: 1, methods: ['GET'], pathIncludes: '/contacts' });
    const before = emulator.requestLog.entries().length;

    const o = await call('list_records', { table: 'contacts', select: 'fullname', top: 2 });
    const asked = emulator.requestLog.entries().slice(before);
    const after = await call('list_records', { table: 'contacts', select: 'fullname', top: 2 });

    expect(o.kind).toBe('tool-error');
    expect(text(o)).toContain(expected);
    expect(text(o)).toContain('paging stopped');
    expect(asked.map((e) => e.url).filter((u) => !u.includes('/contacts'))).toEqual([]);
    expect(after.kind).toBe('ok');
    expect(((after as Extract<Outcome, { kind: 'ok' }>).result.structuredContent as { nextCursor?: string }).nextCursor).toMatch(
      /^[A-Za-z0-9_-]{22}$/,
    );
    await expectStillServing();
  });
});
