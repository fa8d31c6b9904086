export { CacheModule } from './cache.module';
export { CacheService, CACHE_SERVICE_OPTIONS } from './cache.service';
export type { CacheServiceOptions } from './cache.service';
export { cacheKeys } from './cache-keys';
export { CACHE_BACKEND, createCacheBackend } from './cache-backend';
export type { CacheBackend } from './cache-backend';
export { RedisConnection } from './redis-connection';
export { REDIS_CLIENT, REDIS_CONNECTION } from './redis.token';
