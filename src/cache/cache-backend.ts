import Keyv from 'keyv';
import type { AppConfig } from '../config/app-config';
import { RedisConnection, RedisConnectionOptions } from './redis-connection';

/**
 * The store behind @nestjs/cache-manager: Redis through @keyv/redis when REDIS_URL is set, a Map otherwise.
 *
 * Keys in Redis are exactly the keys the services build (`mcp:<env host>:<user key>:identity`,
 * `...:tables`, `...:schema:<logical name>`): the Keyv instance has no namespace and `useKeyPrefix: false`,
 * and the @keyv/redis adapter has no namespace, so neither adds a `keyv:` or `namespace::` prefix
 * (checked against a real redis-server: `KEYS mcp:*` lists them). Values are Keyv's JSON envelope
 * `{"value":<data>,"expires":<epoch ms>}` and the Redis key carries the same TTL (`SET ... PX`).
 */
export interface CacheBackend {
  kind: 'redis' | 'memory';
  keyv: Keyv;
  /** Present in Redis mode: the process's shared node-redis connection. */
  redis?: RedisConnection;
  /** Present in memory mode, for prefix deletes. */
  memory?: Map<string, unknown>;
}

export const CACHE_BACKEND = Symbol('CACHE_BACKEND');

export async function createCacheBackend(config: Pick<AppConfig, 'redisUrl'>, options: RedisConnectionOptions = {}): Promise<CacheBackend> {
  if (!config.redisUrl) {
    const memory = new Map<string, unknown>();
    const keyv = new Keyv({ store: memory, useKeyPrefix: false });
    keyv.namespace = undefined;
    // In process, values are kept as objects: serializing a large schema to JSON and parsing it back on every
    // read cost ~0.4 ms per list_records call. Values are frozen so a reader cannot change the cached copy.
    keyv.serialize = undefined;
    keyv.deserialize = undefined;
    return { kind: 'memory', keyv, memory };
  }
  // Loaded only when Redis is configured (start-up time matters for stdio clients).
  const [{ default: KeyvRedis }, redis] = await Promise.all([import('@keyv/redis'), RedisConnection.create(config.redisUrl, options)]);
  redis.connect();
  const adapter = new KeyvRedis(redis.client as never, { throwOnConnectError: true, throwOnErrors: true });
  adapter.namespace = undefined;
  const keyv = new Keyv({ store: adapter, useKeyPrefix: false, throwOnErrors: true });
  keyv.namespace = undefined;
  // The connection is shared with the proposals module: CacheService closes it last, not cache-manager.
  keyv.disconnect = async () => undefined;
  return { kind: 'redis', keyv, redis };
}
