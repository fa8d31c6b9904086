import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createClient, type RedisClientType } from 'redis';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { MemoryProposalStore } from './memory-proposal.store';
import { hashToken } from './proposal-token';
import { PROPOSAL_STORE, PROPOSALS_REDIS_CLIENT, type ProposalStore } from './proposal.types';
import { createProposalStore, ProposalsModule } from './proposals.module';
import { ProposalsService } from './proposals.service';
import { type ProposalsRedisClient, RedisProposalStore } from './redis-proposal.store';
import { startRedis, type TestRedis } from '../../test/support/redis-server';

Logger.overrideLogger(false);

const baseConfig = { confirmTokenTtlSeconds: 30 } as AppConfig;
const fakeClient = {} as ProposalsRedisClient;

describe('createProposalStore', () => {
  it('should pick the Redis store when REDIS_URL is set and a client is provided', () => {
    expect(createProposalStore({ redisUrl: 'redis://localhost:6379' }, fakeClient)).toBeInstanceOf(RedisProposalStore);
  });

  it.each([
    ['REDIS_URL is unset', undefined, fakeClient],
    ['no client is provided', 'redis://localhost:6379', undefined],
    ['the provided client is null', 'redis://localhost:6379', null],
  ])('should pick the memory store when %s', (_case, redisUrl, client) => {
    expect(createProposalStore({ redisUrl }, client)).toBeInstanceOf(MemoryProposalStore);
  });

  it('should accept the cache module client type when it is handed over', () => {
    // Compile-time check: the shared client is a plain `RedisClientType`.
    const shared = fakeClient as unknown as RedisClientType;
    expect(createProposalStore({ redisUrl: 'redis://x' }, shared).kind).toBe('redis');
  });
});

describe('ProposalsModule', () => {
  let server: TestRedis;
  let client: ProposalsRedisClient;

  beforeAll(async () => {
    server = await startRedis();
    client = createClient({ url: server.url }) as ProposalsRedisClient;
    client.on('error', () => undefined);
    await client.connect();
  });

  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  async function compile(config: Partial<AppConfig>, redisClient?: ProposalsRedisClient | null) {
    @Global()
    @Module({ providers: [{ provide: PROPOSALS_REDIS_CLIENT, useValue: redisClient }], exports: [PROPOSALS_REDIS_CLIENT] })
    class TestRedisModule {}
    const imports = [ConfigModule.forRoot({ ...baseConfig, ...config } as AppConfig), ProposalsModule];
    return Test.createTestingModule({ imports: redisClient === undefined ? imports : [TestRedisModule, ...imports] }).compile();
  }

  it('should serve proposals from memory when no Redis client is provided', async () => {
    const app = await compile({});
    const service = app.get(ProposalsService);
    expect(app.get<ProposalStore>(PROPOSAL_STORE).kind).toBe('memory');
    const { token, expiresAt } = await service.propose({ table: 'account', entitySet: 'accounts', id: 'a', userKey: 'u', summary: {} });
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(28_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
    await expect(service.consume(token, 'u')).resolves.toMatchObject({ id: 'a' });
    await app.close();
  });

  it('should store proposals in the provided Redis when REDIS_URL is set and the app provides the client', async () => {
    const app = await compile({ redisUrl: server.url }, client);
    const service = app.get(ProposalsService);
    expect(service.storeKind).toBe('redis');
    const { token } = await service.propose({ table: 'account', entitySet: 'accounts', id: 'b', userKey: 'u', summary: {} });
    expect(await client.exists(`mcp:proposal:${hashToken(token)}`)).toBe(1);
    await expect(service.consume(token, 'u')).resolves.toMatchObject({ id: 'b' });
    await app.close();
    // The module does not own the shared client: closing the app leaves it connected.
    expect(client.isReady).toBe(true);
  });

  it('should fall back to memory when the provided client is null', async () => {
    const app = await compile({ redisUrl: server.url }, null);
    expect(app.get(ProposalsService).storeKind).toBe('memory');
    await app.close();
  });
});
