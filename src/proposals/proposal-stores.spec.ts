import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createClient } from 'redis';
import { ToolError } from '../common/tool-error';
import { MemoryProposalStore } from './memory-proposal.store';
import { hashToken, TOKEN_PREFIX } from './proposal-token';
import { type ProposalStore } from './proposal.types';
import { ProposalsService } from './proposals.service';
import { type ProposalsRedisClient, RedisProposalStore } from './redis-proposal.store';
import { startRedis, type TestRedis } from '../../test/support/redis-server';

/** Nest's default logger writes to stdout; keep test output (and stdout) clean. */
Logger.overrideLogger(false);

const ALICE = 'user-alice';
const BOB = 'user-bob';

function proposalFor(userKey: string, id = '00000000-0000-0000-0000-000000000001') {
  return {
    table: 'account',
    entitySet: 'accounts',
    id,
    userKey,
    etag: 'W/"12345"',
    summary: { name: 'Contoso', cascades: [{ relationship: 'account_contacts', count: 3 }] },
  };
}

/** Awaits `promise`, expecting a ToolError, and returns it. */
async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Harness {
  store(): ProposalStore;
}

const redisHarness: Harness & { server?: TestRedis; client?: ProposalsRedisClient } = {
  store() {
    return new RedisProposalStore(this.client!);
  },
};
const memoryHarness: Harness = { store: () => new MemoryProposalStore() };

beforeAll(async () => {
  redisHarness.server = await startRedis();
  redisHarness.client = createClient({ url: redisHarness.server.url }) as ProposalsRedisClient;
  redisHarness.client.on('error', () => undefined);
  await redisHarness.client.connect();
});

afterAll(async () => {
  redisHarness.client?.destroy();
  await redisHarness.server?.stop();
});

describe.each([
  ['RedisProposalStore', redisHarness as Harness],
  ['MemoryProposalStore', memoryHarness],
])('ProposalsService contract over %s', (_name, harness) => {
  const service = (ttlSeconds = 120, store = harness.store()) => new ProposalsService(store, { confirmTokenTtlSeconds: ttlSeconds });

  /** One store, and a token in it that has expired by the time it resolves (the wait overlaps other tests). */
  let shared: ProposalStore;
  let expired: Promise<{ token: string; expiresAt: string }>;
  beforeAll(() => {
    shared = harness.store();
    expired = service(1, shared)
      .propose(proposalFor(ALICE))
      .then(async (issued) => {
        await sleep(1100);
        return issued;
      });
  });

  it('should return the stored proposal when its own user consumes a fresh token', async () => {
    const svc = service();
    const before = Date.now();
    const { token, expiresAt } = await svc.propose(proposalFor(ALICE));
    const proposal = await svc.consume(token, ALICE);
    expect(proposal).toMatchObject(proposalFor(ALICE));
    expect(proposal.expiresAt).toBe(expiresAt);
    expect(Date.parse(expiresAt) - Date.parse(proposal.createdAt)).toBe(120_000);
    expect(Date.parse(proposal.createdAt)).toBeGreaterThanOrEqual(before - 1);
  });

  it('should issue a prefixed 256-bit base64url token that differs every time when proposing', async () => {
    const svc = service();
    const a = await svc.propose(proposalFor(ALICE));
    const b = await svc.propose(proposalFor(ALICE));
    for (const { token } of [a, b]) {
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url')).toHaveLength(32);
      expect(token.slice(TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(a.token).not.toBe(b.token);
  });

  it('should let exactly one of 100 concurrent consumes succeed when they share one token', async () => {
    const svc = service();
    const { token } = await svc.propose(proposalFor(ALICE));
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => svc.consume(token, ALICE)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(99);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(ToolError);
      expect((f.reason as ToolError).kind).toBe('conflict');
      expect((f.reason as ToolError).message).toMatch(/already used/);
    }
  });

  it('should say how long ago the token expired when it is consumed after its TTL', async () => {
    const svc = service(1, shared);
    const { token, expiresAt } = await expired;
    const err = await toolError(svc.consume(token, ALICE));
    expect(err.kind).toBe('conflict');
    expect(err.details).toMatchObject({ reason: 'expired', expiresAt });
    expect(err.message).toMatch(/^This confirmation token expired \d+ s ago; call delete_record again to get a new token/);
    // The expired proposal is not revived or consumable afterwards either.
    expect((await toolError(svc.consume(token, ALICE))).details).toMatchObject({ reason: 'expired' });
  });

  it('should say the token was already used and when when it is replayed', async () => {
    const svc = service();
    const { token } = await svc.propose(proposalFor(ALICE));
    await svc.consume(token, ALICE);
    const err = await toolError(svc.consume(token, ALICE));
    expect(err.kind).toBe('conflict');
    expect(err.details).toMatchObject({ reason: 'already_used' });
    expect(err.message).toMatch(/already used: a delete was already attempted with it at \d{4}-\d\d-\d\dT/);
  });

  it.each([
    ['empty', '', /No confirmation token was given/],
    ['wrong prefix', 'dvupd_' + 'A'.repeat(43), /does not start with "dvdel_"/],
    ['too short', TOKEN_PREFIX + 'A'.repeat(42), /wrong length \(48 characters instead of 49\)/],
    ['too long', TOKEN_PREFIX + 'A'.repeat(44), /wrong length \(50 characters instead of 49\)/],
    ['not base64url', TOKEN_PREFIX + 'A'.repeat(42) + '+', /contains characters no token has/],
    ['padded base64', TOKEN_PREFIX + 'A'.repeat(42) + '=', /contains characters no token has/],
  ])('should reject the token as malformed when it is %s', async (_case, token, message) => {
    const svc = service();
    const err = await toolError(svc.consume(token, ALICE));
    expect(err.kind).toBe('invalid_input');
    expect(err.message).toMatch(message);
  });

  it('should say no pending delete matches when the token is well-formed but unknown', async () => {
    const svc = service();
    const err = await toolError(svc.consume(TOKEN_PREFIX + 'Q'.repeat(43), ALICE));
    expect(err.kind).toBe('not_found');
    expect(err.message).toMatch(/No pending delete matches this token/);
  });

  it('should refuse and leave the proposal usable by its owner when another user presents the token', async () => {
    const svc = service();
    const { token } = await svc.propose(proposalFor(ALICE));
    const err = await toolError(svc.consume(token, BOB));
    expect(err.kind).toBe('forbidden');
    expect(err.message).toMatch(/belongs to another user/);
    await expect(svc.consume(token, ALICE)).resolves.toMatchObject({ userKey: ALICE });
  });

  it('should still say forbidden rather than already used when another user replays a used token', async () => {
    const svc = service();
    const { token } = await svc.propose(proposalFor(ALICE));
    await svc.consume(token, ALICE);
    expect((await toolError(svc.consume(token, BOB))).kind).toBe('forbidden');
  });

  it('should accept the token when it comes with surrounding whitespace', async () => {
    const svc = service();
    const { token } = await svc.propose(proposalFor(ALICE));
    await expect(svc.consume(`  ${token}\n`, ALICE)).resolves.toMatchObject({ id: proposalFor(ALICE).id });
  });

  it('should give each failure its own message when tokens are malformed, unknown, foreign, used or expired', async () => {
    const svc = service(1, shared);
    const used = (await svc.propose(proposalFor(ALICE))).token;
    await svc.consume(used, ALICE);
    const foreign = (await service(60, shared).propose(proposalFor(BOB))).token;
    const messages = await Promise.all(
      [
        svc.consume('', ALICE),
        svc.consume('x', ALICE),
        svc.consume(TOKEN_PREFIX + 'A', ALICE),
        svc.consume(TOKEN_PREFIX + '!'.repeat(43), ALICE),
        svc.consume(TOKEN_PREFIX + 'Z'.repeat(43), ALICE),
        svc.consume(foreign, ALICE),
        svc.consume(used, ALICE),
        svc.consume((await expired).token, ALICE),
      ].map(async (p) => (await toolError(p)).message),
    );
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('should refuse to propose when the user key is missing', async () => {
    const err = await toolError(service().propose(proposalFor('')));
    expect(err.kind).toBe('invalid_input');
    expect(err.message).toMatch(/userKey/);
  });
});

describe('RedisProposalStore', () => {
  const client = () => redisHarness.client!;

  it('should keep no trace of the plaintext token in any Redis key or value when a proposal is stored', async () => {
    const svc = new ProposalsService(new RedisProposalStore(client()), { confirmTokenTtlSeconds: 120 });
    const { token } = await svc.propose(proposalFor(ALICE));
    const body = token.slice(TOKEN_PREFIX.length);
    const keys: string[] = [];
    for await (const batch of client().scanIterator({ COUNT: 100 })) keys.push(...batch.map(String));
    expect(keys).toEqual(expect.arrayContaining([`mcp:proposal:${hashToken(token)}`, `mcp:proposal-state:${hashToken(token)}`]));
    const everything: string[] = [];
    for (const key of keys) {
      everything.push(key);
      const type = await client().type(key);
      expect(type).toBe('hash');
      const fields = await client().hGetAll(key);
      everything.push(...Object.keys(fields), ...Object.values(fields));
    }
    expect(everything.length).toBeGreaterThan(4);
    for (const text of everything) {
      expect(text).not.toContain(body);
      expect(text).not.toContain(body.slice(0, 16));
    }
  });

  it('should give the proposal the configured TTL and its tombstone about a day when storing', async () => {
    const svc = new ProposalsService(new RedisProposalStore(client()), { confirmTokenTtlSeconds: 120 });
    const { token } = await svc.propose(proposalFor(ALICE));
    const hash = hashToken(token);
    const proposalTtl = await client().pTTL(`mcp:proposal:${hash}`);
    const stateTtl = await client().pTTL(`mcp:proposal-state:${hash}`);
    expect(proposalTtl).toBeGreaterThan(118_000);
    expect(proposalTtl).toBeLessThanOrEqual(120_000);
    expect(stateTtl).toBeGreaterThan(86_000_000);
    const state = await client().hGetAll(`mcp:proposal-state:${hash}`);
    expect(Object.keys(state).sort()).toEqual(['expiresAt', 'userKey']);
  });

  it('should delete the proposal and mark the tombstone used when a token is consumed', async () => {
    const svc = new ProposalsService(new RedisProposalStore(client()), { confirmTokenTtlSeconds: 120 });
    const { token } = await svc.propose(proposalFor(ALICE));
    const hash = hashToken(token);
    await svc.consume(token, ALICE);
    expect(await client().exists(`mcp:proposal:${hash}`)).toBe(0);
    expect(await client().hGet(`mcp:proposal-state:${hash}`, 'usedAt')).toMatch(/^\d{4}-/);
    expect(await client().pTTL(`mcp:proposal-state:${hash}`)).toBeGreaterThan(86_000_000);
  });

  it('should consume a proposal made through another client when the server process restarted', async () => {
    const first = new ProposalsService(new RedisProposalStore(client()), { confirmTokenTtlSeconds: 120 });
    const { token } = await first.propose(proposalFor(ALICE, '00000000-0000-0000-0000-0000000000aa'));
    const other = createClient({ url: redisHarness.server!.url }) as ProposalsRedisClient;
    other.on('error', () => undefined);
    await other.connect();
    try {
      const second = new ProposalsService(new RedisProposalStore(other), { confirmTokenTtlSeconds: 120 });
      await expect(second.consume(token, ALICE)).resolves.toMatchObject({ id: '00000000-0000-0000-0000-0000000000aa' });
      expect((await toolError(first.consume(token, ALICE))).details).toMatchObject({ reason: 'already_used' });
    } finally {
      other.destroy();
    }
  });

  it('should fall back to EVAL when Redis no longer has the scripts cached', async () => {
    const svc = new ProposalsService(new RedisProposalStore(client()), { confirmTokenTtlSeconds: 120 });
    const { token } = await svc.propose(proposalFor(ALICE));
    await client().scriptFlush();
    await expect(svc.consume(token, ALICE)).resolves.toMatchObject({ userKey: ALICE });
    await client().scriptFlush();
    await expect(svc.propose(proposalFor(ALICE))).resolves.toMatchObject({ token: expect.stringMatching(/^dvdel_/) });
  });

  describe('when Redis is stopped', () => {
    let dir: string;
    let server: TestRedis;
    let down: ProposalsRedisClient;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'proposals-redis-'));
      server = await startRedis({ dir });
      down = createClient({ url: server.url }) as ProposalsRedisClient;
      down.on('error', () => undefined);
      await down.connect();
    });

    afterAll(async () => {
      down.destroy();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('should fail propose and consume fast with unavailable, and run nothing later, when Redis is stopped', async () => {
      const svc = new ProposalsService(new RedisProposalStore(down), { confirmTokenTtlSeconds: 120 });
      const { token } = await svc.propose(proposalFor(ALICE));
      // Snapshot the proposal so that a Redis brought back on the same port still has it.
      await down.sendCommand(['SAVE']);
      await server.stop();

      let started = Date.now();
      const consumeErr = await toolError(svc.consume(token, ALICE));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(consumeErr.kind).toBe('unavailable');
      expect(consumeErr.message).toMatch(/deletes are refused while it is down\. Nothing was deleted/);

      started = Date.now();
      const proposeErr = await toolError(svc.propose(proposalFor(ALICE)));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(proposeErr.kind).toBe('unavailable');
      expect(proposeErr.message).toMatch(/Could not record the delete proposal: the confirmation store \(Redis\) is unavailable/);

      // Bring Redis back: the timed-out consumption must not have stayed queued to run on reconnection.
      await server.start();
      const deadline = Date.now() + 5000;
      while (!down.isReady && Date.now() < deadline) await sleep(20);
      expect(down.isReady).toBe(true);
      await expect(down.ping()).resolves.toBe('PONG');
      expect(await down.exists(`mcp:proposal:${hashToken(token)}`)).toBe(1);
      await expect(svc.consume(token, ALICE)).resolves.toMatchObject({ userKey: ALICE });
    });
  });
});

describe('MemoryProposalStore', () => {
  it('should forget proposals and tombstones by timestamp when their times have passed', async () => {
    let now = 1_000_000;
    const store = new MemoryProposalStore({ now: () => now });
    const entry = { userKey: ALICE, proposal: '{}', expiresAt: 'x', ttlMs: 1000, tombstoneTtlMs: 10_000 };
    await store.create('a', entry);
    now += 1000;
    await expect(store.consume('a', ALICE, 'u')).resolves.toEqual({ status: 'expired', expiresAt: 'x' });
    now += 9000;
    await expect(store.consume('a', ALICE, 'u')).resolves.toEqual({ status: 'unknown' });
    expect(store.size).toBe(0);
  });

  it('should sweep dead entries when new proposals are created later', async () => {
    let now = 1_000_000;
    const store = new MemoryProposalStore({ now: () => now });
    for (const hash of ['a', 'b', 'c']) {
      await store.create(hash, { userKey: ALICE, proposal: '{}', expiresAt: 'x', ttlMs: 1000, tombstoneTtlMs: 2000 });
    }
    expect(store.size).toBe(3);
    now += 120_000;
    await store.create('d', { userKey: ALICE, proposal: '{}', expiresAt: 'x', ttlMs: 1000, tombstoneTtlMs: 2000 });
    expect(store.size).toBe(1);
  });

  it('should return a copy that callers cannot use to change the stored proposal when consumed', async () => {
    const svc = new ProposalsService(new MemoryProposalStore(), { confirmTokenTtlSeconds: 120 });
    const input = proposalFor(ALICE);
    const { token } = await svc.propose(input);
    input.summary.name = 'changed after proposing';
    await expect(svc.consume(token, ALICE)).resolves.toMatchObject({ summary: { name: 'Contoso' } });
  });
});
