import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { deepFreeze } from '../common/deep-freeze';
import { ReadinessService } from '../common/readiness.service';
import { CACHE_BACKEND, CacheBackend } from './cache-backend';

export interface CacheServiceOptions {
  /** Bound on every Redis operation; a slower answer counts as an outage. */
  opTimeoutMs: number;
  /** After a timed-out operation, how long reads skip Redis before trying it again. */
  bypassAfterTimeoutMs: number;
}

export const CACHE_SERVICE_OPTIONS = Symbol('CACHE_SERVICE_OPTIONS');

/** How often memory mode sweeps expired entries. */
const SWEEP_INTERVAL_MS = 60_000;
/**
 * Most entries memory mode keeps. Page cursors arrive with every list_records call that has more pages and live
 * for CURSOR_TTL_SECONDS: at a few hundred calls a second that is six figures within one TTL. Over the cap, expired
 * entries go first, then the oldest (a dropped cursor reads as expired; a dropped schema is read again).
 */
export const MAX_MEMORY_ENTRIES = 20_000;

const DEFAULTS: CacheServiceOptions = { opTimeoutMs: 500, bypassAfterTimeoutMs: 5000 };

class CacheTimeout extends Error {}

/**
 * Read-through cache over @nestjs/cache-manager. Single-flight: concurrent misses for one key share
 * one loader call. The cache is an optimisation only: when Redis is unreachable (or slow), values come
 * straight from the loader, the outage is logged once by the connection, and caching resumes when
 * node-redis reconnects.
 */
@Injectable()
export class CacheService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  private readonly options: CacheServiceOptions;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private bypassUntil = 0;
  private lastErrorAt = 0;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(CACHE_BACKEND) private readonly backend: CacheBackend,
    @Optional() private readonly readiness?: ReadinessService,
    @Optional() @Inject(CACHE_SERVICE_OPTIONS) options?: Partial<CacheServiceOptions>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  onModuleInit(): void {
    const redis = this.backend.redis;
    if (this.backend.memory) {
      // An in-memory entry is dropped when read after its TTL; entries nobody reads again (page cursors) are swept.
      this.sweeper = setInterval(() => this.sweepExpired(), SWEEP_INTERVAL_MS);
      this.sweeper.unref();
    }
    if (!redis) return;
    this.readiness?.register('redis', () => redis.ping());
    // cache-manager swallows store errors and reports them as events: count them as an outage.
    const onEvent = (event: { error?: unknown } | undefined) => {
      if (!event?.error) return;
      this.lastErrorAt = Date.now();
      redis.markDown(event.error);
    };
    for (const name of ['get', 'set', 'del'] as const) this.cache.on(name, onEvent);
  }

  /** Memory mode: deletes the entries whose TTL has passed; returns how many went. */
  sweepExpired(now = Date.now()): number {
    let n = 0;
    for (const [key, entry] of this.backend.memory ?? []) {
      const expires = (entry as { expires?: unknown } | null)?.expires;
      if (typeof expires === 'number' && expires < now) {
        this.backend.memory!.delete(key);
        n++;
      }
    }
    return n;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.backend.redis?.close();
  }

  get kind(): CacheBackend['kind'] {
    return this.backend.kind;
  }

  /** The cached value, or the loader's (then stored for `ttlSeconds`). Loader errors are not cached. */
  getOrLoad<T>(key: string, ttlSeconds: number, loader: () => Promise<T>): Promise<T> {
    const hit = this.peek<T>(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = (async () => {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await loader();
      await this.set(key, value, ttlSeconds);
      return value;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const hit = this.peek<T>(key);
    if (hit !== undefined) return hit;
    const value = await this.run(() => this.cache.get<T>(key));
    return value ?? undefined;
  }

  /**
   * Memory mode: a live entry, read straight from the store's Map — the value cache-manager and Keyv would hand back,
   * without their layers of promises. Undefined for a missing or expired entry (`get` then takes their path, and
   * Keyv drops it) and always in Redis mode.
   */
  private peek<T>(key: string): T | undefined {
    const entry = this.backend.memory?.get(key) as { value?: T; expires?: number } | undefined;
    if (entry && (typeof entry.expires !== 'number' || entry.expires >= Date.now())) return entry.value ?? undefined;
    return undefined;
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    const memory = this.backend.memory;
    if (!memory) {
      await this.run(() => this.cache.set(key, value, ttlSeconds * 1000));
      return;
    }
    // Memory mode: written straight into the store's Map in the envelope Keyv keeps ({ value, expires }), as hits are
    // read. The stored object itself is handed out (no JSON round trip), so it is frozen.
    memory.set(key, { value: deepFreeze(value), expires: ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : undefined });
    if (memory.size > MAX_MEMORY_ENTRIES) this.trim(memory);
  }

  /** Memory mode over its cap: expired entries first, then the oldest, down to 90% of the cap (amortised). */
  private trim(memory: Map<string, unknown>): void {
    this.sweepExpired();
    const target = Math.floor(MAX_MEMORY_ENTRIES * 0.9);
    if (memory.size <= target) return;
    for (const key of memory.keys()) {
      memory.delete(key);
      if (memory.size <= target) break;
    }
  }

  async delete(key: string): Promise<void> {
    this.inflight.delete(key);
    // Memory mode: straight out of the store's Map, as `set` writes it (a full user's oldest cursor goes on every
    // list_records call that saves a new one).
    if (this.backend.memory) {
      this.backend.memory.delete(key);
      return;
    }
    await this.run(() => this.cache.del(key));
  }

  /** Deletes every key starting with `prefix`; returns how many went. */
  async deletePrefix(prefix: string): Promise<number> {
    for (const key of [...this.inflight.keys()]) if (key.startsWith(prefix)) this.inflight.delete(key);
    if (this.backend.memory) {
      let n = 0;
      for (const key of [...this.backend.memory.keys()]) {
        if (key.startsWith(prefix)) {
          this.backend.memory.delete(key);
          n++;
        }
      }
      return n;
    }
    const redis = this.backend.redis;
    if (!redis?.isReady) return 0;
    const result = await this.run(async () => {
      const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
      let n = 0;
      for await (const keys of redis.client.scanIterator({ MATCH: pattern, COUNT: 500 })) {
        const batch = keys as unknown as string[];
        if (batch.length) n += await redis.client.del(batch);
      }
      return n;
    }, this.options.opTimeoutMs * 4);
    return result ?? 0;
  }

  /** Runs a cache operation within the time bound; any failure → undefined (the caller loads from Dataverse). */
  private async run<T>(op: () => Promise<T>, timeoutMs = this.options.opTimeoutMs): Promise<T | undefined> {
    const redis = this.backend.redis;
    if (redis) {
      if (!redis.isReady) {
        // Still connecting at start-up: wait briefly rather than miss the first call's cache.
        // During an outage: straight to the loader, no waiting.
        if (!redis.starting || !(await redis.whenReady(Math.min(timeoutMs, 200)))) {
          redis.markDown(new Error('not connected'));
          return undefined;
        }
      }
      if (Date.now() < this.bypassUntil) return undefined;
    } else {
      // The in-memory store is a Map in this process: nothing to wait for, so no timer per operation.
      try {
        return await op();
      } catch (error) {
        this.logger.warn({ err: error instanceof Error ? error.message : error }, 'in-memory cache operation failed');
        return undefined;
      }
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        op(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CacheTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (Date.now() - this.lastErrorAt > 1000) redis?.markUp();
      return result;
    } catch (error) {
      if (error instanceof CacheTimeout) this.bypassUntil = Date.now() + this.options.bypassAfterTimeoutMs;
      if (redis) redis.markDown(error);
      else this.logger.warn({ err: error instanceof Error ? error.message : error }, 'in-memory cache operation failed');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
