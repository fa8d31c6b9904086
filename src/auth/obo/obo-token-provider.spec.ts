import { startRedis, TestRedis } from '../../../test/support/redis-server';
import { RedisConnection } from '../../cache/redis-connection';
import { ToolError } from '../../common/tool-error';
import { testConfig } from '../testing/fake-identity-provider';
import { createTokenProvider } from '../create-token-provider';
import { EntraTokenValidator } from './entra-token-validator';
import { MemoryStringStore as MemoryOboCacheStore, RedisStringStore as RedisOboCacheStore } from '../../cache/string-store';
import { OboCacheStore, pruneCache } from './obo-token-cache';
import { OboTokenProvider } from './obo-token-provider';
import { FakeEntraObo } from './testing/fake-entra-obo';
import { LocalIssuer, TEST_CLIENT_ID, TEST_TENANT_ID } from './testing/local-issuer';

const DATAVERSE = 'https://contoso.crm4.dynamics.com';
const SECRET = 'test-client-secret';
const ADA = { oid: '0a0a0a0a-1111-4111-8111-aaaaaaaaaaaa', name: 'Ada Lovelace', username: 'ada@contoso.com' };
const BOB = { oid: '0b0b0b0b-2222-4222-8222-bbbbbbbbbbbb', name: 'Bob Byte', username: 'bob@contoso.com' };
const quiet = { warn: () => undefined, log: () => undefined, error: () => undefined };
const config = testConfig({
  authMode: 'obo',
  clientId: TEST_CLIENT_ID,
  tenantId: TEST_TENANT_ID,
  clientSecret: SECRET,
  dataverseUrl: DATAVERSE,
  transports: ['http'],
});

describe('OboTokenProvider', () => {
  let issuer: LocalIssuer;
  let redis: TestRedis;
  let entra: FakeEntraObo;
  let issued: number;
  const connections: RedisConnection[] = [];

  const validator = () => new EntraTokenValidator(config, { jwksUrl: issuer.jwksUrl, logger: quiet });
  const provider = (store: OboCacheStore = new MemoryOboCacheStore()) =>
    new OboTokenProvider(config, validator(), store, { networkClient: entra, logger: quiet });
  const redisStore = async () => {
    const connection = await RedisConnection.create(redis.url);
    connections.push(connection);
    connection.connect();
    await connection.whenReady(2000);
    return new RedisOboCacheStore(connection);
  };

  beforeAll(async () => {
    issuer = new LocalIssuer();
    await issuer.start();
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await issuer.close();
    await redis.stop();
  });
  beforeEach(async () => {
    await redis.command('FLUSHALL');
    issued = 0;
    entra = new FakeEntraObo({ clientId: TEST_CLIENT_ID, clientSecret: SECRET, tokenFor: (oid) => `DV-${oid}-${++issued}` });
  });

  it('should exchange the incoming token on behalf of the user for a Dataverse .default token', async () => {
    const bearer = issuer.mint(ADA);

    const resolved = await provider().getToken({ bearer });

    expect(resolved.token).toBe(`DV-${ADA.oid}-1`);
    expect(resolved.account).toEqual({ userKey: ADA.oid, username: ADA.username, name: ADA.name });
    expect(resolved.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    const [post] = entra.exchanges();
    expect(post.url).toBe(`https://login.microsoftonline.com/${TEST_TENANT_ID}/oauth2/v2.0/token`);
    expect(post.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(post.form.get('requested_token_use')).toBe('on_behalf_of');
    expect(post.form.get('assertion')).toBe(bearer);
    expect(post.form.get('scope')?.split(' ')).toContain(`${DATAVERSE}/.default`);
    expect(entra.gets).toEqual([]);
  });

  it('should serve the same incoming token from the cache without another exchange, and make one exchange for concurrent calls', async () => {
    const p = provider();
    const bearer = issuer.mint(ADA);

    const results = await Promise.all(Array.from({ length: 10 }, () => p.getToken({ bearer })));
    const again = await p.getToken({ bearer });

    expect(new Set([...results, again].map((r) => r.token))).toEqual(new Set([`DV-${ADA.oid}-1`]));
    expect(entra.exchanges()).toHaveLength(1);
  });

  it('should share exchanges between replicas through Redis, partitioned per user', async () => {
    const replicaA = provider(await redisStore());
    const replicaB = provider(await redisStore());
    const adaToken = issuer.mint(ADA);

    const onA = await replicaA.getToken({ bearer: adaToken });
    const onB = await replicaB.getToken({ bearer: adaToken });
    const bobOnB = await replicaB.getToken({ bearer: issuer.mint(BOB) });

    expect(onB.token).toBe(onA.token);
    expect(bobOnB.token).toBe(`DV-${BOB.oid}-2`);
    expect(bobOnB.account.userKey).toBe(BOB.oid);
    expect(entra.exchanges()).toHaveLength(2);
    const keys = ((await redis.command('KEYS', 'mcp:*')) as string[]).sort();
    expect(keys).toEqual([`mcp:contoso.crm4.dynamics.com:${ADA.oid}:msal`, `mcp:contoso.crm4.dynamics.com:${BOB.oid}:msal`].sort());
    const adaCache = (await redis.command(
      'GET',
      keys.find((k) => k.includes(ADA.oid))!,
    )) as string;
    expect(adaCache).toContain(`DV-${ADA.oid}-1`);
    expect(adaCache).not.toContain(`DV-${BOB.oid}`);
    const ttl = (await redis.command('TTL', keys[0])) as number;
    expect(ttl).toBeGreaterThan(3600);
    expect(ttl).toBeLessThanOrEqual(3600 + 300);
  });

  it("should drop only this user's cached tokens on sign-out, on every replica, and tell the listeners", async () => {
    const replicaA = provider(await redisStore());
    const replicaB = provider(await redisStore());
    const adaToken = issuer.mint(ADA);
    await replicaA.getToken({ bearer: adaToken });
    await replicaA.getToken({ bearer: issuer.mint(BOB) });
    const signedOut: string[] = [];
    replicaB.onSignedOut((account) => signedOut.push(account.userKey));

    const result = await replicaB.signOut({ bearer: adaToken });
    await replicaA.getToken({ bearer: adaToken });

    expect(result).toEqual({ signedOut: true, removedAccounts: 1 });
    expect(signedOut).toEqual([ADA.oid]);
    expect(entra.exchanges()).toHaveLength(3);
    expect(await redis.command('EXISTS', `mcp:contoso.crm4.dynamics.com:${BOB.oid}:msal`)).toBe(1);
  });

  it('should keep working from Entra when Redis is unreachable', async () => {
    const store = await redisStore();
    const p = provider(store);
    await redis.stop();
    try {
      await expect(p.getToken({ bearer: issuer.mint(ADA) })).resolves.toMatchObject({ account: { userKey: ADA.oid } });
    } finally {
      await redis.restart();
    }
  });

  it('should answer sign_in with not_needed and name the user', async () => {
    const result = await provider().signIn({ bearer: issuer.mint(ADA) });

    expect(result.status).toBe('not_needed');
    expect(result.message).toContain('Ada Lovelace');
    expect(result.message).toContain('MCP client');
  });

  it('should ask for a token when a call carries none, and refuse an invalid one before any exchange', async () => {
    const p = provider();

    await expect(p.getToken({})).rejects.toMatchObject({ kind: 'sign_in_required' });
    await expect(p.getToken({ bearer: issuer.mint(ADA, { claims: { aud: 'api://other' } }) })).rejects.toMatchObject({
      kind: 'sign_in_required',
    });
    await expect(p.currentAccount({ bearer: issuer.mint(ADA, { badSignature: true }) })).resolves.toBeUndefined();
    expect(entra.posts).toHaveLength(0);
  });

  it('should explain admin consent when Entra refuses the exchange with invalid_grant', async () => {
    entra.failWith = {
      status: 400,
      error: 'invalid_grant',
      description: 'AADSTS65001: The user or administrator has not consented to use the application.',
      suberror: 'consent_required',
    };

    const err = await provider()
      .getToken({ bearer: issuer.mint(ADA) })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ kind: 'sign_in_required' });
    expect((err as ToolError).message).toContain('AADSTS65001');
    expect((err as ToolError).message).toContain('admin consent');
  });

  it('should blame the server configuration when Entra refuses the client secret', async () => {
    const wrong = new OboTokenProvider({ ...config, clientSecret: 'wrong' }, validator(), new MemoryOboCacheStore(), {
      networkClient: entra,
      logger: quiet,
    });

    await expect(wrong.getToken({ bearer: issuer.mint(ADA) })).rejects.toMatchObject({ kind: 'configuration' });
  });

  it('should be what createTokenProvider builds in obo mode', () => {
    expect(createTokenProvider(config, {})).toBeInstanceOf(OboTokenProvider);
  });
});

describe('pruneCache', () => {
  it('should drop expired access tokens and keep the entry as long as the last token lives', () => {
    const now = 1_700_000_000_000;
    const s = now / 1000;
    const text = JSON.stringify({
      Account: {},
      AccessToken: { old: { expires_on: String(s - 10) }, live: { expires_on: String(s + 3600) } },
    });

    const pruned = pruneCache(text, now);

    expect(Object.keys(JSON.parse(pruned.text).AccessToken)).toEqual(['live']);
    expect(pruned.ttlSeconds).toBe(3600 + 300);
  });
});
