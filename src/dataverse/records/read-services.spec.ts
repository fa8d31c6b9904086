import { Logger } from '@nestjs/common';
import { startRedis, TestRedis } from '../../../test/support/redis-server';
import { CACHE_BACKEND, CacheBackend } from '../../cache/cache-backend';
import { ToolError } from '../../common/tool-error';
import { startEmulator, EmulatorHandle } from '../../sandbox';
import { IdentityService } from '../identity/identity.service';
import { MetadataService } from '../metadata/metadata.service';
import { DataverseClient } from '../client/dataverse.client';
import { CursorState } from './paging/cursor-state';
import { CursorStore } from './paging/cursor-store';
import { RecordsService } from './records.service';
import { startReadPath, ReadPathFixture } from '../testing/read-path.fixture';

const waitFor = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('read services with a real Redis', () => {
  let redis: TestRedis;
  let emulator: EmulatorHandle;
  let f: ReadPathFixture;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
    await redis.stop();
  });
  beforeEach(async () => {
    await redis.command('FLUSHALL');
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    f = await startReadPath({ emulator, redisUrl: redis.url });
    emulator.requestLog.clear();
  });
  afterEach(async () => {
    await f.close();
    jest.restoreAllMocks();
  });

  it('should answer a cached schema call with zero Dataverse requests', async () => {
    const metadata = f.get(MetadataService);
    const first = await metadata.getSchema('contact');
    const afterFirst = emulator.requestLog.entries().length;
    emulator.requestLog.clear();

    const second = await metadata.getSchema('contacts');

    expect(afterFirst).toBeGreaterThan(5);
    expect(emulator.requestLog.entries()).toHaveLength(0);
    expect(second).toEqual(first);
    const host = new URL(emulator.url).host;
    expect(await redis.command('KEYS', 'mcp:*')).toEqual(
      expect.arrayContaining([`mcp:${host}:${emulator.sandboxUserId}:tables`, `mcp:${host}:${emulator.sandboxUserId}:schema:contact`]),
    );
  });

  it('should make one set of Dataverse requests for 20 concurrent schema misses', async () => {
    const metadata = f.get(MetadataService);
    await metadata.listTables();
    emulator.requestLog.clear();

    await Promise.all(Array.from({ length: 20 }, () => metadata.getSchema('account')));

    const urls = emulator.requestLog.entries().map((e) => e.url);
    // The definition carries the attributes ($expand); every other request of the wave is made once too.
    expect(urls.filter((u) => u.includes("EntityDefinitions(LogicalName='account')?") && u.includes('Attributes'))).toHaveLength(1);
    expect(urls.length).toBeGreaterThan(1);
    expect(new Set(urls).size).toBe(urls.length);
  });

  it('should keep answering from Dataverse with one warning while Redis is down, and cache again when it is back', async () => {
    const identity = f.get(IdentityService);
    await identity.getIdentity();
    await redis.stop();
    await waitFor(() => warn.mock.calls.some((c) => String(c[1]).includes('Redis is unreachable')));
    emulator.requestLog.clear();

    for (let i = 0; i < 5; i++) expect((await identity.getIdentity()).fullName).toBe('Sandbox User');

    expect(emulator.requestLog.entries().filter((e) => e.url.endsWith('/WhoAmI'))).toHaveLength(5);
    expect(warn.mock.calls.filter((c) => String(c[1]).includes('Redis is unreachable'))).toHaveLength(1);

    await redis.restart();
    await waitFor(() => f.app.get<CacheBackend>(CACHE_BACKEND).redis!.isReady);
    await identity.getIdentity();
    emulator.requestLog.clear();
    await identity.getIdentity();
    expect(emulator.requestLog.entries()).toHaveLength(0);
  });

  it('should drop the cached identity when the user signs out', async () => {
    const identity = f.get(IdentityService);
    await identity.getIdentity();
    const host = new URL(emulator.url).host;
    expect(await redis.command('EXISTS', `mcp:${host}:${emulator.sandboxUserId}:identity`)).toBe(1);

    await f.tokens.signOut();
    await new Promise((r) => setTimeout(r, 50));

    expect(await redis.command('EXISTS', `mcp:${host}:${emulator.sandboxUserId}:identity`)).toBe(0);
  });

  it('should refresh one schema or all of them', async () => {
    const metadata = f.get(MetadataService);
    await metadata.getSchema('contact');
    await metadata.getSchema('account');
    const host = new URL(emulator.url).host;
    const prefix = `mcp:${host}:${emulator.sandboxUserId}`;

    expect(await metadata.refresh('contacts')).toEqual({ tables: ['contact'] });
    expect(((await redis.command('KEYS', 'mcp:*')) as string[]).sort()).toEqual([`${prefix}:schema:account`]);
    await metadata.getSchema('contact');
    expect(await metadata.refresh()).toEqual({ tables: 'all' });
    expect(await redis.command('KEYS', 'mcp:*')).toEqual([]);
  });
});

describe('read services (in-memory cache)', () => {
  let emulator: EmulatorHandle;
  let f: ReadPathFixture;

  beforeAll(async () => {
    emulator = await startEmulator();
    f = await startReadPath({ emulator });
  });
  afterAll(async () => {
    await f.close();
    await emulator.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  it('should return identity with the time zone and current offset', async () => {
    const id = await f.get(IdentityService).getIdentity(new Date('2025-07-01T12:00:00Z'));

    expect(id).toMatchObject({ userId: emulator.sandboxUserId, fullName: 'Sandbox User', businessUnitName: 'sandbox' });
    expect(id.timeZone).toMatchObject({
      code: 110,
      windowsName: 'W. Europe Standard Time',
      ianaId: 'Europe/Berlin',
      utcOffset: '+02:00',
      localTime: '2025-07-01T14:00:00',
    });
  });

  it('should suggest near table names for an unknown table', async () => {
    const error = await f
      .get(MetadataService)
      .resolveTable('contcat')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/no table "contcat".*Did you mean contact \(contacts\)/);
  });

  it('should describe lookups with their exact bind navigation and target entity sets', async () => {
    const schema = await f.get(MetadataService).getSchema('contact');
    const parent = schema.fields.find((x) => x.name === 'parentcustomerid');

    expect(parent).toMatchObject({ type: 'customer', to: { account: 'parentcustomerid_account', contact: 'parentcustomerid_contact' } });
    expect(schema.entitySets).toMatchObject({ account: 'accounts', contact: 'contacts' });
    expect(schema.fields.find((x) => x.name === 'statuscode')?.options).toBe('1=Active (state 0)|2=Inactive (state 1)');
    expect(schema.fields.find((x) => x.name === 'createdon')).toMatchObject({ readOnly: true });
  });

  it('should page with an opaque cursor until the last page', async () => {
    const records = f.get(RecordsService);
    const total = emulator.store.count('contacts');
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await records.list({ table: 'contact', select: 'fullname', top: 40, cursor });
      page.records.forEach((r) => seen.add(String(r.contactid)));
      cursor = page.nextCursor;
      expect(page.hasMore).toBe(!!cursor);
      pages++;
    } while (cursor && pages < 50);

    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 40));
    expect(
      emulator.requestLog
        .entries()
        .filter((e) => e.url.includes('/contacts'))
        .every((e) => e.headers.prefer?.includes('odata.maxpagesize=40')),
    ).toBe(true);
  });

  it('should cut a page at the output budget and continue from the next record', async () => {
    const records = f.get(RecordsService);
    const first = await records.list({ table: 'contacts', top: 200 });

    expect(first.truncated).toBe(true);
    expect(first.note).toMatch(/select fewer fields or lower top/);
    expect(JSON.stringify(first.records).length).toBeLessThanOrEqual(40_000);
    const second = await records.list({ table: 'contacts', cursor: first.nextCursor });
    const ids = new Set(first.records.map((r) => r.contactid));
    expect(second.records.length).toBeGreaterThan(0);
    expect(second.records.some((r) => ids.has(r.contactid))).toBe(false);
    // As many as fit: the next record would have gone over (each record's JSON and a separator count).
    expect(JSON.stringify([...first.records, second.records[0]]).length - 1).toBeGreaterThan(40_000);
    // The page comes frozen (its JSON is reused for the answer).
    expect(Object.isFrozen(first.records) && first.records.every((r) => Object.isFrozen(r))).toBe(true);
  });

  it('should keep cursors short and server-side, and refuse another table, unknown ids and stored state no argument allows', async () => {
    const records = f.get(RecordsService);
    const store = f.get(CursorStore);
    const dv = f.get(DataverseClient);
    const page = await records.list({ table: 'contact', top: 5, select: 'fullname' });
    const { userKey } = await dv.currentAccount();

    expect(page.nextCursor!.length).toBeLessThanOrEqual(128);
    await expect(records.list({ table: 'account', cursor: page.nextCursor })).rejects.toThrow(/belongs to table contacts/);
    const state = (await store.load(dv.envHost, userKey, page.nextCursor!)) as CursorState;
    const keys = [...f.app.get<CacheBackend>(CACHE_BACKEND).memory!.keys()];
    expect(keys).toContain(`mcp:${dv.envHost}:${userKey}:cursor:${page.nextCursor}`);
    await expect(records.list({ table: 'contact', cursor: 'not-a-cursor' })).rejects.toThrow(/cursor expired/);
    await expect(records.list({ table: 'contact', cursor: 'A'.repeat(22) })).rejects.toThrow(/cursor expired/);
    const foreign = await store.save(dv.envHost, userKey, { ...state, e: 'evil.example.com' });
    await expect(records.list({ table: 'contact', cursor: foreign })).rejects.toThrow(/another user or environment/);
    emulator.requestLog.clear();
    for (const l of [
      'WhoAmI',
      'contacts?$expand=parentcustomerid_account',
      `contacts?$filter=${'x'.repeat(5000)}`,
      'contacts?$select=a%20b',
    ]) {
      const bad = await store.save(dv.envHost, userKey, { ...state, l });
      await expect(records.list({ table: 'contact', cursor: bad })).rejects.toThrow(/without cursor/);
    }
    const far = await store.save(dv.envHost, userKey, { ...state, o: 1_000_000 });
    await expect(records.list({ table: 'contact', cursor: far })).rejects.toThrow(/without cursor/);
    expect(emulator.requestLog.entries().filter((e) => e.url.includes('/contacts'))).toHaveLength(0);
  });

  it('should say nothing matched with an empty list, and translate lookup names in select', async () => {
    const records = f.get(RecordsService);
    const none = await records.list({ table: 'contact', filter: "fullname eq 'Nobody At All'" });
    expect(none).toMatchObject({ records: [], hasMore: false });

    const page = await records.list({ table: 'contact', select: ['fullname', 'parentcustomerid'], top: 3 });
    expect(emulator.requestLog.entries().at(-1)?.url).toContain('$select=fullname%2C_parentcustomerid_value');
    expect(Object.keys(page.records[0]).sort()).toEqual(['contactid', 'fullname', 'parentcustomerid', 'url']);
    expect(page.records[0].url).toBe(`${emulator.url}/main.aspx?etn=contact&id=${String(page.records[0].contactid)}&pagetype=entityrecord`);
  });

  it('should read one record with labels and named lookups', async () => {
    const records = f.get(RecordsService);
    const [first] = (await records.list({ table: 'contact', select: 'fullname', top: 1 })).records;

    const one = await records.get('contacts', String(first.contactid).toUpperCase(), 'fullname,statuscode,parentcustomerid');

    expect(one.id).toBe(first.contactid);
    expect(one.record).toMatchObject({ fullname: first.fullname, statuscode: 1, 'statuscode@label': 'Active' });
    await expect(records.get('contact', '00000000-0000-0000-0000-0000000000ff')).rejects.toThrow(
      /No contact record with id 00000000-0000-0000-0000-0000000000ff/,
    );
  });
});
