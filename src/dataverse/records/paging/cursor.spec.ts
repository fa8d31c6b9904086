import { createCache } from 'cache-manager';
import { createCacheBackend } from '../../../cache/cache-backend';
import { CacheService } from '../../../cache/cache.service';
import { CursorStore, MAX_CURSOR_LENGTH, MAX_CURSORS_PER_USER } from './cursor-store';
import { checkCursorState, checkPageLink, CursorState, isNextOfSameQuery, MAX_SKIPTOKEN_LENGTH } from './cursor-state';

const state: CursorState = { v: 1, e: 'org.crm.dynamics.com', u: 'abc', t: 'contacts', l: 'contacts?$select=fullname', n: 20, o: 0 };

describe('CursorStore', () => {
  const cache = async () => {
    const backend = await createCacheBackend({});
    return new CacheService(createCache({ stores: [backend.keyv] }), backend);
  };

  it('should hand out short random ids and give the state back only to the same user and environment', async () => {
    const store = new CursorStore(await cache(), { cursorTtlSeconds: 60 });
    const id = await store.save('org.crm.dynamics.com', 'user-a', state);
    const again = await store.save('org.crm.dynamics.com', 'user-a', state);

    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(id.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(again).not.toBe(id);
    await expect(store.load('org.crm.dynamics.com', 'user-a', id)).resolves.toEqual(state);
    await expect(store.load('org.crm.dynamics.com', 'user-b', id)).rejects.toThrow(
      /cursor expired \(or is not yours\); run the query again/,
    );
    await expect(store.load('other.crm.dynamics.com', 'user-a', id)).rejects.toThrow(/cursor expired/);
  });

  it('should never hand out the same id twice, across the random bytes it draws in batches', async () => {
    const store = new CursorStore(await cache(), { cursorTtlSeconds: 60 });
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(await store.save('org', 'user-a', state));

    expect(new Set(ids).size).toBe(300);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // 16 random bytes each: no id shares its first half with another.
    expect(new Set(ids.map((id) => id.slice(0, 11))).size).toBe(300);
  });

  it('should keep at most MAX_CURSORS_PER_USER live cursors per user in memory, the oldest going first', async () => {
    const store = new CursorStore(await cache(), { cursorTtlSeconds: 600 });
    const other = await store.save('org', 'user-b', state);
    const ids: string[] = [];
    for (let i = 0; i < MAX_CURSORS_PER_USER + 5; i++) ids.push(await store.save('org', 'user-a', state));

    for (const id of ids.slice(0, 5)) await expect(store.load('org', 'user-a', id)).rejects.toThrow(/cursor expired/);
    await expect(store.load('org', 'user-a', ids[5])).resolves.toEqual(state);
    await expect(store.load('org', 'user-a', ids[ids.length - 1])).resolves.toEqual(state);
    // Another user's cursors are not pushed out by this user's.
    await expect(store.load('org', 'user-b', other)).resolves.toEqual(state);
  });

  it('should refuse unknown ids and anything not shaped like one without a lookup', async () => {
    const c = await cache();
    const get = jest.spyOn(c, 'get');
    const store = new CursorStore(c, { cursorTtlSeconds: 60 });
    for (const bad of ['', 'x', 'a'.repeat(23), 'a'.repeat(21) + '.', 'eyJ2IjoxfQ.c2ln']) {
      await expect(store.load('org', 'user-a', bad)).rejects.toThrow(/cursor expired/);
    }
    expect(get).not.toHaveBeenCalled();
    await expect(store.load('org', 'user-a', 'A'.repeat(22))).rejects.toThrow(/cursor expired/);
  });

  it('should sweep cursors nobody reads again out of the in-memory cache', async () => {
    const backend = await createCacheBackend({});
    const c = new CacheService(createCache({ stores: [backend.keyv] }), backend);
    const store = new CursorStore(c, { cursorTtlSeconds: 1 });
    await store.save('org', 'user-a', state);
    await store.save('org', 'user-a', state);

    expect(c.sweepExpired(Date.now())).toBe(0);
    expect(backend.memory!.size).toBe(2);
    expect(c.sweepExpired(Date.now() + 1500)).toBe(2);
    expect(backend.memory!.size).toBe(0);
  });

  it('should forget a cursor after its TTL', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const store = new CursorStore(await cache(), { cursorTtlSeconds: 1 });
      const id = await store.save('org', 'user-a', state);
      await expect(store.load('org', 'user-a', id)).resolves.toEqual(state);
      jest.setSystemTime(Date.now() + 1500);
      await expect(store.load('org', 'user-a', id)).rejects.toThrow(/cursor expired/);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('checkCursorState and checkPageLink', () => {
  it('should accept what list_records itself produces, including a Dataverse skiptoken', () => {
    expect(checkCursorState(state, 'contacts')).toEqual(state);
    expect(() =>
      checkPageLink(
        'contacts?$select=fullname%2C_parentcustomerid_value&$filter=statecode%20eq%200&$orderby=fullname%20desc&$skiptoken=%3Ccookie%20pagenumber=%222%22%20/%3E',
        'contacts',
      ),
    ).not.toThrow();
  });

  it.each<[string, Partial<CursorState>]>([
    ['an offset past the page', { o: 20 }],
    ['a negative offset', { o: -1 }],
    ['an unbounded page size', { n: 100_000 }],
    ['a fractional page size', { n: 2.5 }],
    ['another version', { v: 2 as 1 }],
    ['$expand', { l: 'contacts?$select=fullname&$expand=parentcustomerid_account' }],
    ['a filter over the limit', { l: `contacts?$filter=${encodeURIComponent(`name eq '${'x'.repeat(4001)}'`)}` }],
    ['an unchecked select value', { l: 'contacts?$select=fullname,(x)' }],
    ['too many select fields', { l: `contacts?$select=${Array.from({ length: 201 }, (_, i) => `f${i}`).join(',')}` }],
    ['a bad orderby', { l: 'contacts?$orderby=fullname%20sideways' }],
    ['a repeated option', { l: 'contacts?$select=fullname&$select=contactid' }],
    ['$top', { l: 'contacts?$top=5000' }],
    ['another path', { l: 'WhoAmI' }],
    ['a path escape', { l: 'contacts/../accounts' }],
    ['a fragment', { l: 'contacts?$select=fullname#x' }],
  ])('should refuse a cursor with %s', (_label, change) => {
    expect(() => checkCursorState({ ...state, ...change }, 'contacts')).toThrow(/run the query again without cursor/);
  });

  it('should refuse what is not a cursor state at all', () => {
    for (const value of [undefined, null, 'x', [], { v: 1 }]) {
      expect(() => checkCursorState(value, 'contacts')).toThrow(/run the query again without cursor/);
    }
  });
});

describe('isNextOfSameQuery', () => {
  const first = 'contacts?$select=fullname&$filter=statecode%20eq%200';
  const token = '%3Ccookie%20pagenumber=%222%22%20/%3E';

  it('should take the fetched link with a new skiptoken as its last option, from the first page or a later one', () => {
    expect(isNextOfSameQuery(`${first}&$skiptoken=${token}`, first)).toBe(true);
    expect(isNextOfSameQuery(`${first}&$skiptoken=${token}`, `${first}&$skiptoken=%3Ccookie%20pagenumber=%221%22%20/%3E`)).toBe(true);
    expect(isNextOfSameQuery(`contacts?$skiptoken=${token}`, 'contacts')).toBe(true);
  });

  it.each([
    ['another table', `accounts?$select=fullname&$filter=statecode%20eq%200&$skiptoken=${token}`],
    ['another filter', `contacts?$select=fullname&$filter=statecode%20eq%201&$skiptoken=${token}`],
    ['an option after the token', `${first}&$skiptoken=${token}&$top=5000`],
    ['a fragment', `${first}&$skiptoken=${token}#x`],
    ['an empty token', `${first}&$skiptoken=`],
    ['a token over the limit', `${first}&$skiptoken=${'x'.repeat(MAX_SKIPTOKEN_LENGTH + 1)}`],
    ['the options in another order', `contacts?$filter=statecode%20eq%200&$select=fullname&$skiptoken=${token}`],
  ])('should leave %s to the full check', (_label, next) => {
    expect(isNextOfSameQuery(next, first)).toBe(false);
  });

  it('should only take links the full check also accepts', () => {
    for (const [next, fetched] of [
      [`${first}&$skiptoken=${token}`, first],
      [`contacts?$skiptoken=${token}`, 'contacts'],
    ]) {
      expect(isNextOfSameQuery(next, fetched)).toBe(true);
      expect(() => checkPageLink(next, 'contacts')).not.toThrow();
    }
  });
});
