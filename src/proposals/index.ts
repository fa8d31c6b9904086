export * from './proposal.types';
export { hashToken, TOKEN_LENGTH, TOKEN_PREFIX } from './proposal-token';
export { MemoryProposalStore } from './memory-proposal.store';
export {
  DEFAULT_REDIS_TIMEOUT_MS,
  PROPOSAL_KEY_PREFIX,
  PROPOSAL_STATE_KEY_PREFIX,
  type ProposalsRedisClient,
  RedisProposalStore,
} from './redis-proposal.store';
export { ProposalsService, TOMBSTONE_TTL_SECONDS } from './proposals.service';
export { createProposalStore, ProposalsModule } from './proposals.module';
