import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxTokenProvider } from './sandbox-token-provider';
import { captureNestLogs, ManualClock, testConfig, visit, waitUntilClosed } from './testing/fake-identity-provider';

const USER_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

/** The emulator's stand-in identity provider and the two identity endpoints the provider reads. */
class FakeSandboxIdentity {
  server: Server;
  url = '';
  readonly tokenForms: URLSearchParams[] = [];
  readonly secrets = new Set<string>();
  includeIdentityInTokenResponse = false;
  refreshRejected = false;
  private readonly codes = new Map<string, { challenge: string; redirectUri: string }>();
  private n = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: object) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/sandbox/oauth2/authorize') {
        const code = `SBCODE-${++this.n}`;
        this.secrets.add(code);
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        this.codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri });
        const target = new URL(redirectUri);
        target.searchParams.set('code', code);
        target.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { Location: target.toString() });
        res.end();
        return;
      }
      if (url.pathname === '/sandbox/oauth2/token' && req.method === 'POST') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const form = new URLSearchParams(body);
          this.tokenForms.push(form);
          if (form.get('grant_type') === 'authorization_code') {
            const issued = this.codes.get(form.get('code') ?? '');
            const challenge = createHash('sha256')
              .update(form.get('code_verifier') ?? '')
              .digest('base64url');
            if (!issued || issued.challenge !== challenge || issued.redirectUri !== form.get('redirect_uri'))
              return json(400, { error: 'invalid_grant' });
          } else if (form.get('grant_type') === 'refresh_token' && this.refreshRejected) {
            return json(400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
          }
          const access = `SBAT-${++this.n}`;
          const refresh = `SBRT-${this.n}`;
          this.secrets.add(access);
          this.secrets.add(refresh);
          json(200, {
            token_type: 'Bearer',
            access_token: access,
            refresh_token: refresh,
            expires_in: 3600,
            scope: 'user_impersonation',
            ...(this.includeIdentityInTokenResponse ? { systemuserid: 'from-token-response', name: 'Token User' } : {}),
          });
        });
        return;
      }
      if (url.pathname === '/api/data/v9.2/WhoAmI') return json(200, { UserId: USER_ID, BusinessUnitId: USER_ID, OrganizationId: USER_ID });
      if (url.pathname === `/api/data/v9.2/systemusers(${USER_ID})`) return json(200, { fullname: 'Sandbox User', systemuserid: USER_ID });
      json(404, { error: { code: '0x0', message: 'not found' } });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('SandboxTokenProvider', () => {
  let idp: FakeSandboxIdentity;
  let provider: SandboxTokenProvider;
  let logs: ReturnType<typeof captureNestLogs>;

  /** The browser: open the sign-in URL, follow the sandbox's 302 to our listener. */
  async function signInThroughBrowser(): Promise<{ status: number; text: string; port: number }> {
    const result = await provider.signIn();
    if (result.status !== 'pending' || result.flow !== 'browser') throw new Error('expected a browser sign-in');
    const authorize = await fetch(result.url, { redirect: 'manual' });
    const location = authorize.headers.get('location') ?? '';
    const page = await visit(location);
    return { ...page, port: Number(new URL(location).port) };
  }

  beforeEach(async () => {
    idp = new FakeSandboxIdentity();
    await idp.start();
    logs = captureNestLogs();
    const config = testConfig({
      authMode: 'sandbox',
      sandbox: true,
      clientId: undefined,
      dataverseUrl: idp.url,
      dataverseApiUrl: `${idp.url}/api/data/v9.2/`,
    });
    provider = new SandboxTokenProvider(config, { clock: new ManualClock() });
  });

  afterEach(async () => {
    await provider.dispose();
    logs.restore();
    await idp.stop();
  });

  it('should point the sign-in URL at the sandbox authorize endpoint with PKCE when sign-in starts', async () => {
    const result = await provider.signIn();

    expect(result).toMatchObject({ status: 'pending', flow: 'browser' });
    const url = new URL((result as { url: string }).url);
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.url}/sandbox/oauth2/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('should sign in as the sandbox user found through WhoAmI when the browser follows the redirect', async () => {
    const page = await signInThroughBrowser();

    expect(page.status).toBe(200);
    expect(page.text).toContain('Authentication complete');
    const token = await provider.getToken();
    expect(token.account).toEqual({ userKey: USER_ID, name: 'Sandbox User' });
    expect(token.token).toMatch(/^SBAT-/);
    await expect(waitUntilClosed(page.port)).resolves.toBe(true);
  });

  it('should take the account from the token response when the sandbox includes it', async () => {
    idp.includeIdentityInTokenResponse = true;

    await signInThroughBrowser();

    await expect(provider.currentAccount()).resolves.toEqual({ userKey: 'from-token-response', name: 'Token User', username: undefined });
  });

  it('should use the refresh_token grant when a refresh is forced', async () => {
    await signInThroughBrowser();

    const token = await provider.getToken(undefined, { forceRefresh: true });

    expect(idp.tokenForms.map((f) => f.get('grant_type'))).toEqual(['authorization_code', 'refresh_token']);
    expect(token.account.userKey).toBe(USER_ID);
  });

  it('should ask for a new sign-in when the sandbox rejects the refresh token', async () => {
    await signInThroughBrowser();
    idp.refreshRejected = true;

    await expect(provider.getToken(undefined, { forceRefresh: true })).rejects.toMatchObject({ kind: 'sign_in_required' });
  });

  it('should forget the account and notify listeners when signing out', async () => {
    await signInThroughBrowser();
    const notified: string[] = [];
    provider.onSignedOut((a) => notified.push(a.userKey));

    await expect(provider.signOut()).resolves.toEqual({ signedOut: true, removedAccounts: 1 });
    await expect(provider.signOut()).resolves.toEqual({ signedOut: true, removedAccounts: 0 });

    expect(notified).toEqual([USER_ID]);
    await expect(provider.getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });
  });

  it('should never log a code or token when signing in and refreshing', async () => {
    await signInThroughBrowser();
    await provider.getToken(undefined, { forceRefresh: true });

    const leaks = logs.lines.filter((line) => [...idp.secrets].some((s) => line.includes(s)));

    expect(logs.lines.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});
