import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CACHE_BACKEND, CacheBackend, createCacheBackend } from './cache-backend';
import { CacheService } from './cache.service';
import { REDIS_CLIENT, REDIS_CONNECTION } from './redis.token';

/** Creates the store once (and the Redis connection when REDIS_URL is set). */
@Module({
  providers: [
    { provide: CACHE_BACKEND, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createCacheBackend(config) },
    { provide: REDIS_CONNECTION, inject: [CACHE_BACKEND], useFactory: (backend: CacheBackend) => backend.redis ?? null },
    { provide: REDIS_CLIENT, inject: [CACHE_BACKEND], useFactory: (backend: CacheBackend) => backend.redis?.client ?? null },
  ],
  exports: [CACHE_BACKEND, REDIS_CONNECTION, REDIS_CLIENT],
})
export class CacheBackendModule {}

/**
 * Global cache: `CacheService` (read-through, single-flight, Redis-outage tolerant) and
 * `REDIS_CONNECTION` (the shared node-redis connection, or null without REDIS_URL) for the proposals module.
 */
@Global()
@Module({
  imports: [
    CacheBackendModule,
    NestCacheModule.registerAsync({
      imports: [CacheBackendModule],
      inject: [CACHE_BACKEND],
      useFactory: (backend: CacheBackend) => ({ stores: [backend.keyv] }),
    }),
  ],
  providers: [CacheService],
  exports: [CacheService, CacheBackendModule],
})
export class CacheModule {}
