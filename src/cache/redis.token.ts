/**
 * Injection token of the shared Redis connection: `@Inject(REDIS_CONNECTION) redis: RedisConnection | null`
 * (null when REDIS_URL is unset). Use `redis.client` (node-redis v5) only while `redis.isReady`.
 */
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');

/**
 * The shared node-redis client itself (`RedisClientType`, or null without REDIS_URL), e.g. for
 * `{ provide: PROPOSALS_REDIS_CLIENT, useExisting: REDIS_CLIENT }`. It connects in the background and
 * reconnects by itself; commands fail fast while it is disconnected (no offline queue).
 */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
