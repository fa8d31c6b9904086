import type { RedisConnection } from './redis-connection';

/**
 * Plain string values under keys, shared by every replica through Redis or kept in this process's memory.
 * Multi-user mode keeps each user's MSAL token cache here (only src/cache and src/proposals speak to Redis).
 */
export interface SharedStringStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** True when something was removed. */
  delete(key: string): Promise<boolean>;
}

/** Bound on every Redis operation: a slow Redis must not hold up a tool call (the caller then treats it as a miss). */
const REDIS_TIMEOUT_MS = 500;

function bounded<T>(op: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    op,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Over the process's shared node-redis connection. An outage is not an error for the caller: reads miss
 * and writes are dropped; the connection logs the outage once.
 */
export class RedisStringStore implements SharedStringStore {
  readonly kind = 'redis' as const;

  constructor(private readonly redis: RedisConnection) {}

  async get(key: string): Promise<string | undefined> {
    if (!this.redis.isReady) return undefined;
    try {
      return (await bounded(this.redis.client.get(key))) ?? undefined;
    } catch (err) {
      this.redis.markDown(err);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!this.redis.isReady) return;
    try {
      await bounded(this.redis.client.set(key, value, { expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) } }));
    } catch (err) {
      this.redis.markDown(err);
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!this.redis.isReady) throw new Error('Redis is not reachable');
    return (await bounded(this.redis.client.del(key))) > 0;
  }
}

export class MemoryStringStore implements SharedStringStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }
}
