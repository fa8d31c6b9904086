import { createHash } from 'node:crypto';
import { createTokenProvider } from './create-token-provider';
import { StaticTokenProvider } from './static-token-provider';
import { ManualClock, testConfig } from './testing/fake-identity-provider';

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('StaticTokenProvider', () => {
  it('should return the configured token with a static- user key when asked for a token', async () => {
    const provider = createTokenProvider(testConfig({ authMode: 'static', dataverseAccessToken: 'opaque-token' }));

    const resolved = await provider.getToken();

    expect(provider.mode).toBe('static');
    expect(resolved.token).toBe('opaque-token');
    expect(resolved.account.userKey).toBe(`static-${createHash('sha256').update('opaque-token').digest('hex').slice(0, 16)}`);
  });

  it('should say no sign-in is needed when sign_in is called', async () => {
    const provider = new StaticTokenProvider('opaque-token');

    await expect(provider.signIn()).resolves.toMatchObject({
      status: 'not_needed',
      message: expect.stringContaining('DATAVERSE_ACCESS_TOKEN'),
    });
    await expect(provider.signOut()).resolves.toEqual({ signedOut: true, removedAccounts: 0 });
  });

  it('should read the user name and expiry from the token when it is a JWT', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const provider = new StaticTokenProvider(jwt({ exp, upn: 'ada@contoso.com', name: 'Ada' }));

    const resolved = await provider.getToken();

    expect(resolved.expiresOn?.getTime()).toBe(exp * 1000);
    expect(resolved.account).toMatchObject({ username: 'ada@contoso.com', name: 'Ada' });
  });

  it('should explain that the configured token expired when its exp has passed', async () => {
    const clock = new ManualClock();
    const provider = new StaticTokenProvider(jwt({ exp: Math.floor(clock.now() / 1000) + 60 }), clock);
    clock.advance(61_000);

    await expect(provider.getToken()).rejects.toMatchObject({
      kind: 'configuration',
      message: expect.stringContaining('DATAVERSE_ACCESS_TOKEN expired'),
    });
  });

  it("should ask for the caller's bearer token when multi-user mode is configured and a call carries none", async () => {
    const provider = createTokenProvider(testConfig({ authMode: 'obo', clientSecret: 'x' }));

    expect(provider.mode).toBe('obo');
    await expect(provider.getToken()).rejects.toMatchObject({
      kind: 'sign_in_required',
      message: expect.stringContaining('Authorization: Bearer'),
    });
  });
});
