import { Logger } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { startRedis, TestRedis } from '../../test/support/redis-server';
import { CacheBackend, createCacheBackend } from './cache-backend';
import { CacheService, MAX_MEMORY_ENTRIES } from './cache.service';

async function service(backend: CacheBackend): Promise<CacheService> {
  const cache = createCache({ stores: [backend.keyv] });
  return new CacheService(cache, backend, undefined, { opTimeoutMs: 300, bypassAfterTimeoutMs: 200 });
}

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('CacheService with a real Redis', () => {
  let redis: TestRedis;
  let backend: CacheBackend;
  let cache: CacheService;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(async () => {
    await redis.command('FLUSHALL');
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    backend = await createCacheBackend({ redisUrl: redis.url }, { maxReconnectDelayMs: 100 });
    await backend.redis!.whenReady(2000);
    cache = await service(backend);
  });
  afterEach(async () => {
    await cache.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it("should write the service key verbatim with Keyv's envelope and a TTL", async () => {
    await cache.getOrLoad('mcp:org.crm.dynamics.com:user-1:schema:contact', 60, async () => ({ fields: 3 }));

    expect(await redis.command('KEYS', 'mcp:*')).toEqual(['mcp:org.crm.dynamics.com:user-1:schema:contact']);
    const raw = JSON.parse((await redis.command('GET', 'mcp:org.crm.dynamics.com:user-1:schema:contact')) as string);
    expect(raw).toEqual({ value: { fields: 3 }, expires: expect.any(Number) });
    const pttl = (await redis.command('PTTL', 'mcp:org.crm.dynamics.com:user-1:schema:contact')) as number;
    expect(pttl).toBeGreaterThan(55_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('should make one loader call for 20 concurrent misses of one key', async () => {
    const loader = jest.fn(async () => {
      await new Promise((r) => setTimeout(r, 50));
      return { n: 1 };
    });

    const results = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad('mcp:h:u:tables', 60, loader)));

    expect(loader).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.n === 1)).toBe(true);
    await cache.getOrLoad('mcp:h:u:tables', 60, loader);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('should not cache a failed load', async () => {
    await expect(cache.getOrLoad('mcp:h:u:identity', 60, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.getOrLoad('mcp:h:u:identity', 60, async () => 'ok')).toBe('ok');
  });

  it('should delete by prefix without touching other users', async () => {
    await cache.set('mcp:h:u1:schema:contact', 1, 60);
    await cache.set('mcp:h:u1:schema:account', 1, 60);
    await cache.set('mcp:h:u2:schema:contact', 1, 60);

    expect(await cache.deletePrefix('mcp:h:u1:schema:')).toBe(2);
    expect(await redis.command('KEYS', 'mcp:*')).toEqual(['mcp:h:u2:schema:contact']);
  });

  it('should keep answering with one warning while Redis is down, and cache again when it is back', async () => {
    const loader = jest.fn(async () => 'fresh');
    await cache.getOrLoad('mcp:h:u:identity', 60, loader);

    await redis.stop();
    await waitFor(() => !backend.redis!.isReady);
    const started = Date.now();
    for (let i = 0; i < 10; i++) expect(await cache.getOrLoad(`mcp:h:u:k${i}`, 60, loader)).toBe('fresh');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(loader).toHaveBeenCalledTimes(11);
    const outageWarnings = warn.mock.calls.filter((c) => String(c[1] ?? c[0]).includes('Redis is unreachable'));
    expect(outageWarnings).toHaveLength(1);

    await redis.restart();
    await waitFor(() => backend.redis!.isReady);
    await cache.getOrLoad('mcp:h:u:after', 60, loader);
    await cache.getOrLoad('mcp:h:u:after', 60, loader);
    expect(loader).toHaveBeenCalledTimes(12);
    expect(await redis.command('KEYS', 'mcp:*')).toEqual(['mcp:h:u:after']);
  });
});

describe('CacheService with a frozen Redis', () => {
  it('should bound every operation and answer from the loader without hanging', async () => {
    const redis = await startRedis();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const backend = await createCacheBackend({ redisUrl: redis.url });
    await backend.redis!.whenReady(2000);
    const cache = await service(backend);
    try {
      redis.pause();
      const started = Date.now();
      const values = [];
      for (let i = 0; i < 5; i++) values.push(await cache.getOrLoad(`mcp:h:u:k${i}`, 60, async () => i));

      expect(values).toEqual([0, 1, 2, 3, 4]);
      // One timed-out GET (300 ms) opens the bypass window; the other calls skip Redis.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(warn.mock.calls.filter((c) => String(c[1] ?? c[0]).includes('Redis is unreachable'))).toHaveLength(1);
    } finally {
      redis.resume();
      await cache.onApplicationShutdown();
      await redis.stop();
      jest.restoreAllMocks();
    }
  });
});

describe('CacheService in memory', () => {
  it('should cache, single-flight and delete by prefix without Redis', async () => {
    const backend = await createCacheBackend({});
    const cache = await service(backend);
    const loader = jest.fn(async () => ({ a: 1 }));

    await Promise.all(Array.from({ length: 5 }, () => cache.getOrLoad('mcp:h:u:schema:a', 60, loader)));
    await cache.getOrLoad('mcp:h:u:schema:a', 60, loader);
    await cache.set('mcp:h:u:schema:b', 2, 60);

    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.kind).toBe('memory');
    expect(await cache.deletePrefix('mcp:h:u:schema:')).toBe(2);
    expect(await cache.get('mcp:h:u:schema:a')).toBeUndefined();
  });

  it('should keep at most MAX_MEMORY_ENTRIES entries, dropping expired ones first and then the oldest', async () => {
    const backend = await createCacheBackend({});
    const cache = await service(backend);
    await cache.set('mcp:h:u:schema:kept-longest', 1, 3600);
    for (let i = 0; i < MAX_MEMORY_ENTRIES + 10; i++) await cache.set(`mcp:h:u:cursor:${i}`, { i }, 900);

    expect(backend.memory!.size).toBeLessThanOrEqual(MAX_MEMORY_ENTRIES);
    // The oldest went first; the newest are still there.
    expect(await cache.get('mcp:h:u:schema:kept-longest')).toBeUndefined();
    expect(await cache.get(`mcp:h:u:cursor:${MAX_MEMORY_ENTRIES + 9}`)).toEqual({ i: MAX_MEMORY_ENTRIES + 9 });
    await cache.onApplicationShutdown();
  });

  it('should hand out the stored (frozen) value on a hit and read an expired entry as missing, dropping it', async () => {
    const backend = await createCacheBackend({});
    const cache = await service(backend);
    await cache.set('mcp:h:u:schema:a', { fields: ['x'] }, 60);
    const first = await cache.get<{ fields: string[] }>('mcp:h:u:schema:a');

    expect(first).toEqual({ fields: ['x'] });
    expect(await cache.get('mcp:h:u:schema:a')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    await cache.set('mcp:h:u:schema:old', 1, 60);
    (backend.memory!.get('mcp:h:u:schema:old') as { expires: number }).expires = Date.now() - 1;
    expect(await cache.get('mcp:h:u:schema:old')).toBeUndefined();
    expect(backend.memory!.has('mcp:h:u:schema:old')).toBe(false);
    await cache.onApplicationShutdown();
  });

  it("should write memory entries in Keyv's own envelope, so cache-manager and Keyv read them as their own", async () => {
    const backend = await createCacheBackend({});
    const cache = await service(backend);
    const before = Date.now();
    await cache.set('mcp:h:u:cursor:a', { l: 'contacts' }, 60);

    const entry = backend.memory!.get('mcp:h:u:cursor:a') as { value: unknown; expires: number };
    expect(entry.value).toEqual({ l: 'contacts' });
    expect(entry.expires).toBeGreaterThanOrEqual(before + 60_000);
    expect(entry.expires).toBeLessThanOrEqual(Date.now() + 60_000);
    await expect(backend.keyv.get('mcp:h:u:cursor:a')).resolves.toEqual({ l: 'contacts' });
    await expect(createCache({ stores: [backend.keyv] }).ttl('mcp:h:u:cursor:a')).resolves.toBe(entry.expires);
    await cache.delete('mcp:h:u:cursor:a');
    expect(backend.memory!.has('mcp:h:u:cursor:a')).toBe(false);
    await cache.onApplicationShutdown();
  });

  it("should delete a memory entry straight from the store's Map, leaving the others", async () => {
    const backend = await createCacheBackend({});
    const cache = await service(backend);
    const keyvDelete = jest.spyOn(backend.keyv, 'delete');
    await cache.set('mcp:h:u:cursor:a', { l: 'a' }, 60);
    await cache.set('mcp:h:u:cursor:b', { l: 'b' }, 60);

    await cache.delete('mcp:h:u:cursor:a');

    expect(keyvDelete).not.toHaveBeenCalled();
    expect(await cache.get('mcp:h:u:cursor:a')).toBeUndefined();
    await expect(backend.keyv.get('mcp:h:u:cursor:a')).resolves.toBeUndefined();
    expect(await cache.get('mcp:h:u:cursor:b')).toEqual({ l: 'b' });
    await cache.onApplicationShutdown();
  });
});
