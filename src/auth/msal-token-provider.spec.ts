import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError } from '../common/tool-error';
import { clientLog } from '../logging/client/client-log';
import { MsalTokenProvider } from './msal-token-provider';
import {
  captureNestLogs,
  DATAVERSE_URL,
  eventually,
  FakeIdentityProvider,
  ManualClock,
  testConfig,
  TENANT_ID,
  USER_OID,
  visit,
  waitUntilClosed,
} from './testing/fake-identity-provider';
import { PENDING_SIGN_IN_TTL_MS, SignInResult } from './token-provider';

type BrowserPending = Extract<SignInResult, { flow: 'browser' }>;

describe('MsalTokenProvider', () => {
  let dir: string;
  let idp: FakeIdentityProvider;
  let clock: ManualClock;
  let provider: MsalTokenProvider;
  let logs: ReturnType<typeof captureNestLogs>;

  const make = (overrides = {}) =>
    new MsalTokenProvider(testConfig({ tokenCacheDir: join(dir, 'cache'), ...overrides }), { networkClient: idp, clock });

  async function pendingUrl(p = provider): Promise<BrowserPending> {
    const result = await p.signIn();
    if (result.status !== 'pending' || result.flow !== 'browser')
      throw new Error(`expected a pending browser sign-in, got ${result.status}`);
    return result;
  }

  async function signInThroughBrowser(p = provider): Promise<{ status: number; text: string; port: number }> {
    const { url } = await pendingUrl(p);
    const redirect = idp.authorize(url);
    const page = await visit(redirect);
    return { ...page, port: Number(new URL(redirect).port) };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-msal-'));
    idp = new FakeIdentityProvider();
    clock = new ManualClock();
    logs = captureNestLogs();
    provider = make();
  });

  afterEach(async () => {
    await provider.dispose();
    logs.restore();
    await rm(dir, { recursive: true, force: true });
  });

  describe('browser sign-in (authorization code + PKCE)', () => {
    it('should return an Entra authorize URL with PKCE, state and the localhost redirect when sign-in starts', async () => {
      const { url, expiresAt, message } = await pendingUrl();

      const parsed = new URL(url);
      expect(parsed.origin + parsed.pathname).toBe(`https://login.microsoftonline.com/${TENANT_ID}/oauth2/v2.0/authorize`);
      expect(parsed.searchParams.get('code_challenge_method')).toBe('S256');
      expect(parsed.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(parsed.searchParams.get('state')).toBeTruthy();
      expect(parsed.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/);
      expect(parsed.searchParams.get('scope')).toContain(`${DATAVERSE_URL}/user_impersonation`);
      expect(new Date(expiresAt).getTime()).toBe(clock.now() + PENDING_SIGN_IN_TTL_MS);
      expect(message).toContain(url);
    });

    it('should exchange the code with the PKCE verifier and redirect URI when the browser comes back', async () => {
      const { url } = await pendingUrl();
      const challenge = new URL(url).searchParams.get('code_challenge');
      const redirectUri = new URL(url).searchParams.get('redirect_uri');

      const page = await visit(idp.authorize(url));

      expect(page.status).toBe(200);
      expect(page.text).toContain('Authentication complete');
      const [post] = idp.tokenPosts('authorization_code');
      expect(
        createHash('sha256')
          .update(post.form.get('code_verifier') ?? '')
          .digest('base64url'),
      ).toBe(challenge);
      expect(post.form.get('redirect_uri')).toBe(redirectUri);
      const token = await provider.getToken();
      expect(token.token).toMatch(/^AT-1-/);
      expect(token.account).toEqual({ userKey: USER_OID, username: 'ada@contoso.com', name: 'Ada Lovelace' });
    });

    it('should say who is signed in when sign_in is called after completing', async () => {
      await signInThroughBrowser();

      const again = await provider.signIn();

      expect(again).toMatchObject({ status: 'signed_in', account: { userKey: USER_OID, username: 'ada@contoso.com' } });
      expect(again.message).toContain('Ada Lovelace');
    });

    it('should return the same pending sign-in when sign_in is called twice', async () => {
      const first = await pendingUrl();

      const second = await pendingUrl();

      expect(second.url).toBe(first.url);
      expect(second.expiresAt).toBe(first.expiresAt);
    });

    it('should close the listener when the sign-in completed', async () => {
      const { port } = await signInThroughBrowser();

      await expect(waitUntilClosed(port)).resolves.toBe(true);
    });

    it('should answer 404 when a path other than the callback is requested', async () => {
      const { url } = await pendingUrl();
      const port = new URL(new URL(url).searchParams.get('redirect_uri')!).port;

      const page = await visit(`http://127.0.0.1:${port}/favicon.ico`);

      expect(page.status).toBe(404);
    });

    it('should answer 400, store nothing and stay pending when the state does not match', async () => {
      const { url } = await pendingUrl();
      const redirect = new URL(idp.authorize(url));
      redirect.searchParams.set('state', 'forged-state');

      const page = await visit(redirect.toString());

      expect(page.status).toBe(400);
      expect(idp.tokenPosts('authorization_code')).toHaveLength(0);
      await expect(provider.getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });
      await expect(pendingUrl()).resolves.toMatchObject({ url });
    });

    it('should show the identity provider error and report it once to the next call when the user declines', async () => {
      const { url } = await pendingUrl();
      const state = new URL(url).searchParams.get('state')!;
      const redirectUri = new URL(url).searchParams.get('redirect_uri')!;
      const callback = `${redirectUri}/?error=access_denied&error_description=${encodeURIComponent('User <b>declined</b> consent')}&state=${state}`;

      const page = await visit(callback);

      expect(page.text).toContain('access_denied');
      expect(page.text).toContain('User &#60;b&#62;declined&#60;/b&#62; consent');
      expect(page.text).not.toContain('<b>');
      const failure = await provider.getToken().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ToolError);
      expect(failure).toMatchObject({ kind: 'sign_in_failed' });
      expect((failure as ToolError).message).toContain('access_denied');
      await expect(provider.getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });
    });

    it('should report the failure through sign_in when sign_in is the next call after an error redirect', async () => {
      const { url } = await pendingUrl();
      const p = new URL(url).searchParams;
      await visit(`${p.get('redirect_uri')}/?error=access_denied&state=${p.get('state')}`);

      await expect(provider.signIn()).rejects.toMatchObject({ kind: 'sign_in_failed' });
      const fresh = await pendingUrl();

      expect(fresh.url).not.toBe(url);
    });

    it('should close the listener and start a fresh sign-in when the pending one is 10 minutes old', async () => {
      const first = await pendingUrl();
      const port = Number(new URL(new URL(first.url).searchParams.get('redirect_uri')!).port);

      clock.advance(PENDING_SIGN_IN_TTL_MS);

      await expect(waitUntilClosed(port)).resolves.toBe(true);
      const second = await pendingUrl();
      expect(new URL(second.url).searchParams.get('state')).not.toBe(new URL(first.url).searchParams.get('state'));
    });

    it('should fail with an error naming AUTH_REDIRECT_PORT when the redirect port is in use', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      const busy = make({ authRedirectPort: port });
      try {
        const error = await busy.signIn().catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ToolError);
        expect((error as ToolError).message).toContain('AUTH_REDIRECT_PORT');
        expect((error as ToolError).message).toContain(String(port));
      } finally {
        await busy.dispose();
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    it('should explain what to configure when CLIENT_ID is missing', async () => {
      const unconfigured = make({ clientId: undefined });

      const error = await unconfigured.signIn().catch((e: unknown) => e);

      expect(error).toMatchObject({ kind: 'configuration' });
      const message = (error as ToolError).message;
      for (const needle of ['CLIENT_ID', 'TENANT_ID', 'http://localhost:0', 'user_impersonation', 'public client'])
        expect(message).toContain(needle);
      await expect(unconfigured.currentAccount()).resolves.toBeUndefined();
    });

    it('should name the default redirect http://localhost:5577 when CLIENT_ID is missing with default settings', async () => {
      const unconfigured = make({ clientId: undefined, authRedirectPort: 5577 });

      await expect(unconfigured.getToken()).rejects.toThrow('http://localhost:5577');
    });
  });

  describe('tokens', () => {
    it('should tell the model to call sign_in when nobody signed in', async () => {
      const error = await provider.getToken().catch((e: unknown) => e);

      expect(error).toMatchObject({ kind: 'sign_in_required' });
      expect((error as ToolError).message).toContain('sign_in');
    });

    it('should include the pending URL when a data tool asks for a token while sign-in is waiting', async () => {
      const { url } = await pendingUrl();

      await expect(provider.getToken()).rejects.toThrow(url);
    });

    it('should serve the in-memory token without asking MSAL when it is far from expiry', async () => {
      await signInThroughBrowser();
      const postsBefore = idp.posts.length;

      const [a, b] = await Promise.all([provider.getToken(), provider.getToken()]);

      expect(a.token).toBe(b.token);
      expect(idp.posts).toHaveLength(postsBefore);
    });

    it('should refresh silently with the refresh token when the access token is about to expire', async () => {
      idp.accessTokenLifetimeSeconds = 60;
      await signInThroughBrowser();
      const firstRefreshToken = [...idp.secrets].find((s) => s.startsWith('RT-1-'));

      const token = await provider.getToken();

      const [refresh] = idp.tokenPosts('refresh_token');
      expect(refresh.form.get('refresh_token')).toBe(firstRefreshToken);
      expect(token.token).toMatch(/^AT-2-/);
    });

    it('should refresh when forceRefresh is asked even though the token is fresh', async () => {
      await signInThroughBrowser();

      const token = await provider.getToken(undefined, { forceRefresh: true });

      expect(idp.tokenPosts('refresh_token')).toHaveLength(1);
      expect(token.token).toMatch(/^AT-2-/);
    });

    it('should say the sign-in expired and to call sign_in when the refresh token is rejected with invalid_grant', async () => {
      await signInThroughBrowser();
      idp.refreshError = 'invalid_grant';
      const notify = jest.spyOn(clientLog, 'warn');

      const error = await provider.getToken(undefined, { forceRefresh: true }).catch((e: unknown) => e);

      expect(error).toMatchObject({ kind: 'sign_in_required' });
      expect((error as ToolError).message).toMatch(/expired.*call sign_in/);
      // The person at the client is told too, in the session of the call.
      expect(notify).toHaveBeenCalledWith(expect.stringMatching(/^The Dataverse sign-in has expired/), 'call');
      notify.mockRestore();
    });

    it('should start a new browser sign-in when sign_in is called after the refresh token was rejected', async () => {
      idp.accessTokenLifetimeSeconds = 60;
      await signInThroughBrowser();
      idp.refreshError = 'invalid_grant';
      await expect(provider.getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });

      const result = await provider.signIn();

      expect(result).toMatchObject({ status: 'pending', flow: 'browser' });
    });
  });

  describe('sign_out', () => {
    it('should remove the account, clear the token and notify listeners when signed in', async () => {
      await signInThroughBrowser();
      const notified: string[] = [];
      provider.onSignedOut((account) => notified.push(account.userKey));

      const result = await provider.signOut();

      expect(result).toEqual({ signedOut: true, removedAccounts: 1 });
      expect(notified).toEqual([USER_OID]);
      await expect(provider.getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });
      await expect(provider.currentAccount()).resolves.toBeUndefined();
    });

    it('should succeed with removedAccounts 0 when called a second time', async () => {
      await signInThroughBrowser();
      await provider.signOut();

      await expect(provider.signOut()).resolves.toEqual({ signedOut: true, removedAccounts: 0 });
    });

    it('should close a pending sign-in listener when signing out', async () => {
      const { url } = await pendingUrl();
      const port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);

      await provider.signOut();

      await expect(waitUntilClosed(port)).resolves.toBe(true);
    });
  });

  describe('device code', () => {
    beforeEach(() => {
      provider = make({ authMode: 'device-code', authFlow: 'device-code' });
    });

    it('should return the verification URL and user code straight away and sign in when polling succeeds', async () => {
      idp.devicePendingPolls = 2;

      const result = await provider.signIn();

      expect(result).toMatchObject({
        status: 'pending',
        flow: 'device-code',
        verificationUri: 'https://microsoft.com/devicelogin',
        userCode: 'ABCD-EFGH',
      });
      const token = await eventually(() => provider.getToken());
      expect(token.account.userKey).toBe(USER_OID);
      expect(idp.tokenPosts('device_code').length + idp.tokenPosts('urn:ietf:params:oauth:grant-type:device_code').length).toBe(3);
    });

    it('should return the same code when sign_in is called again while polling', async () => {
      idp.devicePendingPolls = 1_000_000;
      const first = await provider.signIn();

      const second = await provider.signIn();

      expect(second).toEqual(first);
      expect(idp.posts.filter((p) => p.url.endsWith('/devicecode'))).toHaveLength(1);
    });

    it('should report a declined device sign-in once to the next call', async () => {
      idp.deviceError = 'authorization_declined';
      await provider.signIn();

      const error = await eventually(async () => {
        const e = await provider.getToken().catch((err: unknown) => err);
        if ((e as ToolError).kind !== 'sign_in_failed') throw new Error('not yet');
        return e as ToolError;
      });

      expect(error.message).toContain('authorization_declined');
      await expect(provider.getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });
    });

    it('should stop waiting and start a new code when the pending one is 10 minutes old', async () => {
      idp.devicePendingPolls = 1_000_000;
      await provider.signIn();

      clock.advance(PENDING_SIGN_IN_TTL_MS);
      await provider.signIn();

      expect(idp.posts.filter((p) => p.url.endsWith('/devicecode'))).toHaveLength(2);
    });
  });

  it('should never log a token, refresh token, code or verifier when flows run', async () => {
    idp.accessTokenLifetimeSeconds = 60;
    await signInThroughBrowser();
    await provider.getToken();
    idp.refreshError = 'invalid_grant';
    await provider.getToken(undefined, { forceRefresh: true }).catch(() => undefined);
    const { url } = await pendingUrl();
    const p = new URL(url).searchParams;
    await visit(`${p.get('redirect_uri')}/?error=access_denied&state=${p.get('state')}&code=CODE-leaked-in-error`);
    idp.secrets.add('CODE-leaked-in-error');
    await provider.signOut();

    expect(logs.lines.length).toBeGreaterThan(0);
    const leaks = logs.lines.filter((line) => [...idp.secrets].some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
    expect(logs.lines.filter((line) => line.includes('state=') || line.includes('code='))).toEqual([]);
  });
});
