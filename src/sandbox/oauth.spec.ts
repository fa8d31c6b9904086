import { createHash, randomBytes } from 'node:crypto';
import { startEmulator } from './index';
import { call } from './spec-support';
import { EmulatorHandle } from './types';

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('Dataverse emulator: sandbox sign-in (authorization code + PKCE)', () => {
  let em: EmulatorHandle;
  const redirect = 'http://localhost:53682/callback';
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());

  const authorize = (params: Record<string, string>) =>
    fetch(`${em.url}/sandbox/oauth2/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
  const token = (params: Record<string, string>) =>
    fetch(`${em.url}/sandbox/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  const getCode = async (extra: Record<string, string> = {}) => {
    const r = await authorize({
      client_id: 'app',
      redirect_uri: redirect,
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: `${em.url}/user_impersonation offline_access`,
      ...extra,
    });
    expect(r.status).toBe(302);
    const loc = new URL(r.headers.get('location')!);
    expect(`${loc.origin}${loc.pathname}`).toBe(redirect);
    expect(loc.searchParams.get('state')).toBe('s1');
    return loc.searchParams.get('code')!;
  };

  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  it('should issue tokens the Web API accepts when the code and verifier match', async () => {
    const code = await getCode();
    const r = await token({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier, client_id: 'app' });
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      scope: `${em.url}/user_impersonation offline_access`,
      expires_in: 3599,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    const who = await call(em, 'WhoAmI', { token: body.access_token });
    expect(who.json.UserId).toBe(em.sandboxUserId);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token, client_id: 'app' });
    expect(refreshed.status).toBe(200);
    const rb = (await refreshed.json()) as any;
    expect(rb.access_token).not.toBe(body.access_token);
    expect((await call(em, 'WhoAmI', { token: rb.access_token })).status).toBe(200);
  });

  it('should answer invalid_grant when the verifier is wrong or the code is reused', async () => {
    const code = await getCode();
    const wrong = await token({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: b64url(randomBytes(32)) });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as any).error).toBe('invalid_grant');
    const reused = await token({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier });
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as any).error).toBe('invalid_grant');
  });

  it('should answer invalid_grant when the redirect_uri differs or the refresh token is unknown', async () => {
    const code = await getCode();
    const r = await token({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:1/other', code_verifier: verifier });
    expect(((await r.json()) as any).error).toBe('invalid_grant');
    const rt = await token({ grant_type: 'refresh_token', refresh_token: 'nope' });
    expect(rt.status).toBe(400);
    expect(((await rt.json()) as any).error).toBe('invalid_grant');
  });

  it('should act as the hinted user when login_hint names a systemuser', async () => {
    const users = await call(em, `systemusers?$select=fullname&$filter=systemuserid ne ${em.sandboxUserId}&$top=1`);
    const other = users.json.value[0].systemuserid;
    const code = await getCode({ login_hint: other });
    const body = (await (
      await token({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier })
    ).json()) as any;
    expect((await call(em, 'WhoAmI', { token: body.access_token })).json.UserId).toBe(other);
  });

  it('should answer a 400 HTML page when the redirect URI is not loopback http or PKCE is missing', async () => {
    for (const params of [
      { client_id: 'app', redirect_uri: 'https://evil.example.com/cb', code_challenge: challenge, code_challenge_method: 'S256' },
      { client_id: 'app', redirect_uri: 'https://localhost/cb', code_challenge: challenge, code_challenge_method: 'S256' },
      { client_id: 'app', code_challenge: challenge },
      { client_id: 'app', redirect_uri: redirect },
    ]) {
      const r = await authorize(params as Record<string, string>);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await r.text()).toMatch(/redirect_uri|code_challenge/);
    }
  });

  it('should answer unsupported_grant_type when the grant is unknown', async () => {
    const r = await token({ grant_type: 'password', username: 'a', password: 'b' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toBe('unsupported_grant_type');
  });
});
