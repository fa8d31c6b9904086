import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MemoryProposalStore } from './memory-proposal.store';
import { PROPOSAL_STORE, PROPOSALS_REDIS_CLIENT, type ProposalStore } from './proposal.types';
import { ProposalsService } from './proposals.service';
import { type ProposalsRedisClient, RedisProposalStore } from './redis-proposal.store';

/**
 * Redis store when `REDIS_URL` is set and the app provided a connected client under
 * {@link PROPOSALS_REDIS_CLIENT}; the in-memory store otherwise.
 */
export function createProposalStore(config: Pick<AppConfig, 'redisUrl'>, client?: ProposalsRedisClient | null): ProposalStore {
  if (config.redisUrl && client) return new RedisProposalStore(client);
  if (config.redisUrl) {
    new Logger('ProposalsModule').warn(
      'REDIS_URL is set but no Redis client was provided for delete proposals; they are kept in memory (one process only).',
    );
  }
  return new MemoryProposalStore();
}

/** Delete proposals (DESIGN.md §6): {@link ProposalsService} and the {@link PROPOSAL_STORE} behind it. */
@Global()
@Module({
  providers: [
    {
      provide: PROPOSAL_STORE,
      useFactory: createProposalStore,
      inject: [APP_CONFIG, { token: PROPOSALS_REDIS_CLIENT, optional: true }],
    },
    ProposalsService,
  ],
  exports: [ProposalsService, PROPOSAL_STORE],
})
export class ProposalsModule {}
