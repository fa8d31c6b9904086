import { CLOCK_SKEW_SECONDS, EntraTokenValidator, SigningKeysUnavailableError, TokenRejectedError } from './entra-token-validator';
import { LocalIssuer, TEST_CLIENT_ID, TEST_TENANT_ID } from './testing/local-issuer';

const ADA = { oid: '0a0a0a0a-1111-4111-8111-aaaaaaaaaaaa', name: 'Ada Lovelace', username: 'ada@contoso.com' };
const quiet = { warn: () => undefined, log: () => undefined, error: () => undefined };

describe('EntraTokenValidator', () => {
  let issuer: LocalIssuer;
  let now: number;
  const validator = (overrides: { tenantId?: string; jwksUrl?: string; fetch?: typeof fetch } = {}) =>
    new EntraTokenValidator(
      { clientId: TEST_CLIENT_ID, tenantId: overrides.tenantId ?? TEST_TENANT_ID },
      { jwksUrl: overrides.jwksUrl ?? issuer.jwksUrl, now: () => now, logger: quiet, fetch: overrides.fetch },
    );
  const rejection = async (v: EntraTokenValidator, token: string) => {
    const err = await v.validate(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRejectedError);
    return err as TokenRejectedError;
  };

  beforeAll(async () => {
    issuer = new LocalIssuer();
    await issuer.start();
  });
  afterAll(async () => {
    await issuer.close();
  });
  beforeEach(() => {
    now = Date.now();
    issuer.jwksRequests = 0;
  });

  it('should accept a v2.0 token for api://<client id> with access_as_user and return the user keyed by oid', async () => {
    const user = await validator().validate(issuer.mint(ADA));

    expect(user).toMatchObject({ userKey: ADA.oid, oid: ADA.oid, tid: TEST_TENANT_ID, username: ADA.username, name: ADA.name });
    expect(user.scopes).toContain('access_as_user');
  });

  it('should accept a v1 token (sts.windows.net issuer) whose audience is the bare client id', async () => {
    const token = issuer.mint(ADA, { claims: { iss: `https://sts.windows.net/${TEST_TENANT_ID}/`, aud: TEST_CLIENT_ID, ver: '1.0' } });

    await expect(validator().validate(token)).resolves.toMatchObject({ userKey: ADA.oid });
  });

  it('should fall back to sub for the user key when the token has no oid', async () => {
    const user = await validator().validate(issuer.mint(ADA, { claims: { oid: undefined, sub: 'Pairwise-Sub' } }));

    expect(user.userKey).toBe('pairwise-sub');
  });

  it.each([
    ['another audience', { claims: { aud: 'api://someone-else' } }, 'audience'],
    ['the Dataverse audience', { claims: { aud: 'https://contoso.crm.dynamics.com' } }, 'audience'],
    ['a foreign issuer', { claims: { iss: 'https://evil.example/v2.0' } }, 'not issued by Microsoft Entra'],
    [
      'an issuer of another tenant than its tid',
      { claims: { iss: 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000000000/v2.0' } },
      'not issued',
    ],
    [
      'another tenant',
      {
        claims: {
          tid: '00000000-0000-4000-8000-000000000000',
          iss: 'https://login.microsoftonline.com/00000000-0000-4000-8000-000000000000/v2.0',
        },
      },
      'another tenant',
    ],
    ['no expiry', { claims: { exp: undefined } }, 'no expiry'],
    ['an alg of none', { header: { alg: 'none' } }, 'algorithm'],
    ['an HS256 alg', { header: { alg: 'HS256' } }, 'algorithm'],
    ['no kid', { header: { kid: undefined } }, 'signing key'],
    ['a bad signature', { badSignature: true }, 'signature'],
    ['no user', { claims: { oid: undefined, sub: undefined } }, 'names no user'],
  ])('should reject a token with %s as invalid_token', async (_label, options, message) => {
    const err = await rejection(validator(), issuer.mint(ADA, options));

    expect(err.code).toBe('invalid_token');
    expect(err.description).toContain(message);
  });

  it('should reject a token expired longer ago than the clock skew, and accept one within it', async () => {
    const exp = Math.floor(now / 1000) - 10;
    const token = issuer.mint(ADA, { claims: { exp } });

    await expect(validator().validate(token)).resolves.toBeDefined();
    now += (CLOCK_SKEW_SECONDS + 11) * 1000;
    expect((await rejection(validator(), token)).description).toContain('expired');
  });

  it('should reject a token that is not valid yet', async () => {
    const token = issuer.mint(ADA, { claims: { nbf: Math.floor(now / 1000) + CLOCK_SKEW_SECONDS + 30 } });

    expect((await rejection(validator(), token)).description).toContain('not valid yet');
  });

  it.each([
    ['another scope only', { claims: { scp: 'User.Read' } }],
    ['no scp (an app-only token)', { claims: { scp: undefined, roles: ['Everything.All'] } }],
  ])('should reject a token with %s as insufficient_scope', async (_label, options) => {
    const err = await rejection(validator(), issuer.mint(ADA, options));

    expect(err.code).toBe('insufficient_scope');
    expect(err.description).toContain('access_as_user');
  });

  it('should reject garbage without fetching keys', async () => {
    const v = validator();

    expect((await rejection(v, 'not-a-jwt')).code).toBe('invalid_token');
    expect((await rejection(v, 'a.b.c')).code).toBe('invalid_token');
    expect((await rejection(v, 'x'.repeat(20_000))).code).toBe('invalid_token');
    expect(issuer.jwksRequests).toBe(0);
  });

  it('should fetch the keys once and reuse them', async () => {
    const v = validator();

    await Promise.all([v.validate(issuer.mint(ADA)), v.validate(issuer.mint(ADA)), v.validate(issuer.mint(ADA))]);
    await v.validate(issuer.mint(ADA));

    expect(issuer.jwksRequests).toBe(1);
  });

  it('should refetch the keys when a token names a new key (rotation)', async () => {
    const v = validator();
    await v.validate(issuer.mint(ADA));
    issuer.rotate();
    now += 61_000;

    await expect(v.validate(issuer.mint(ADA))).resolves.toMatchObject({ userKey: ADA.oid });
    expect(issuer.jwksRequests).toBe(2);
  });

  it('should refetch for an unknown key at most once a minute', async () => {
    const v = validator();
    await v.validate(issuer.mint(ADA));
    now += 61_000;

    for (let i = 0; i < 5; i++) expect((await rejection(v, issuer.mint(ADA, { unpublishedKey: true }))).description).toContain('key');
    expect(issuer.jwksRequests).toBe(2);
    now += 61_000;
    await rejection(v, issuer.mint(ADA, { unpublishedKey: true }));
    expect(issuer.jwksRequests).toBe(3);
  });

  it('should report the keys as unavailable (not the token as invalid) when the JWKS cannot be fetched', async () => {
    const v = validator({ jwksUrl: 'http://127.0.0.1:1/discovery/v2.0/keys' });

    await expect(v.validate(issuer.mint(ADA))).rejects.toBeInstanceOf(SigningKeysUnavailableError);
  });

  it('should keep using the cached keys when a refetch fails', async () => {
    let up = true;
    const flaky: typeof fetch = (input, init) => (up ? fetch(input, init) : Promise.reject(new Error('ECONNREFUSED')));
    const v = validator({ fetch: flaky });
    await v.validate(issuer.mint(ADA));
    up = false;
    now += 25 * 3600_000;

    await expect(v.validate(issuer.mint(ADA, { claims: { exp: Math.floor(now / 1000) + 600, nbf: undefined } }))).resolves.toBeDefined();
  });

  it('should learn the tenant id from the OpenID configuration when TENANT_ID is a domain', async () => {
    const calls: string[] = [];
    const discovery: typeof fetch = async (input, init) => {
      const url = String(input);
      calls.push(url);
      if (url.includes('openid-configuration')) {
        return new Response(JSON.stringify({ issuer: `https://login.microsoftonline.com/${TEST_TENANT_ID}/v2.0` }), { status: 200 });
      }
      return fetch(input, init);
    };
    const v = validator({ tenantId: 'contoso.onmicrosoft.com', fetch: discovery });

    await expect(v.validate(issuer.mint(ADA))).resolves.toMatchObject({ tid: TEST_TENANT_ID });
    const other = '00000000-0000-4000-8000-000000000000';
    const foreign = issuer.mint(ADA, { claims: { tid: other, iss: `https://login.microsoftonline.com/${other}/v2.0` } });
    expect((await rejection(v, foreign)).description).toContain('another tenant');
    expect(calls.filter((c) => c.includes('openid-configuration'))).toEqual([
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
    ]);
  });

  it('should accept any tenant when TENANT_ID is common (multi-tenant app), still checking issuer against tid', async () => {
    const other = '00000000-0000-4000-8000-000000000000';
    const v = validator({ tenantId: 'common' });

    await expect(
      v.validate(issuer.mint(ADA, { claims: { tid: other, iss: `https://login.microsoftonline.com/${other}/v2.0` } })),
    ).resolves.toMatchObject({ tid: other });
    expect((await rejection(v, issuer.mint(ADA, { claims: { tid: other } }))).description).toContain('not issued');
  });

  it('should name the scope clients must request', () => {
    expect(validator().requiredScope).toBe(`api://${TEST_CLIENT_ID}/access_as_user`);
  });
});
