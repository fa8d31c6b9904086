import { createHash, randomBytes } from 'node:crypto';

/**
 * The sandbox identity provider: opaque bearer tokens acting as a systemuser, and an OAuth 2.0 authorization-code
 * flow with PKCE (S256) for loopback redirect URIs.
 */

const CODE_TTL_MS = 5 * 60_000;
const ACCESS_TTL_S = 3599;

interface TokenInfo {
  userId: string;
  expiresAt?: number;
}
interface CodeInfo {
  userId: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
}
interface RefreshInfo {
  userId: string;
  clientId: string;
  scope: string;
}

export interface OAuthResult {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
}

const b64url = (buf: Buffer) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const opaque = (prefix: string) => `${prefix}${b64url(randomBytes(32))}`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function isLoopbackRedirect(uri: string | undefined): boolean {
  if (!uri) return false;
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

export class Auth {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly codes = new Map<string, CodeInfo>();
  private readonly refresh = new Map<string, RefreshInfo>();

  constructor(
    private readonly defaultUserId: string,
    private readonly userExists: (id: string) => boolean,
    private readonly tenantId: string,
    private readonly userName: (id: string) => { name: string; upn: string },
  ) {}

  issue(userId = this.defaultUserId, ttlSeconds?: number): string {
    const token = opaque('sbx.');
    this.tokens.set(token, { userId: userId.toLowerCase(), expiresAt: ttlSeconds ? Date.now() + ttlSeconds * 1000 : undefined });
    return token;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** The systemuserid for an Authorization header value, or undefined. */
  resolve(authorization: string | undefined): string | undefined {
    if (!authorization) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return undefined;
    const info = this.tokens.get(m[1]);
    if (!info) return undefined;
    if (info.expiresAt !== undefined && info.expiresAt < Date.now()) {
      this.tokens.delete(m[1]);
      return undefined;
    }
    return info.userId;
  }

  authorize(query: URLSearchParams): OAuthResult {
    const redirectUri = query.get('redirect_uri') ?? undefined;
    const problem = (msg: string): OAuthResult => ({
      status: 400,
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><title>Sign-in error</title></head><body><h1>Sandbox sign-in could not start</h1><p>${esc(msg)}</p></body></html>`,
    });
    if (!query.get('client_id')) return problem('The request has no client_id.');
    if (!isLoopbackRedirect(redirectUri)) {
      return problem(
        `The redirect_uri '${redirectUri ?? ''}' is missing or not allowed: the sandbox only redirects to http:// on a loopback host (localhost, 127.0.0.1 or [::1]).`,
      );
    }
    const challenge = query.get('code_challenge');
    if (!challenge) return problem('The request has no code_challenge: PKCE (S256) is required.');
    const method = query.get('code_challenge_method') ?? 'S256';
    if (method !== 'S256') return problem(`The code_challenge_method '${method}' is not supported: use S256.`);
    const hint = query.get('login_hint')?.toLowerCase();
    const userId = hint && this.userExists(hint) ? hint : this.defaultUserId;
    const code = opaque('sbxcode.');
    this.sweep();
    this.codes.set(code, {
      userId,
      clientId: query.get('client_id')!,
      redirectUri: redirectUri!,
      challenge,
      scope: query.get('scope') ?? '',
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(redirectUri!);
    target.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' } };
  }

  token(form: URLSearchParams): OAuthResult {
    const error = (error: string, description: string, status = 400): OAuthResult => ({
      status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error, error_description: description }),
    });
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const info = this.codes.get(code);
      if (!info) return error('invalid_grant', 'AADSTS70008: The provided authorization code is invalid, expired or was already redeemed.');
      this.codes.delete(code);
      if (info.expiresAt < Date.now()) return error('invalid_grant', 'AADSTS70008: The provided authorization code has expired.');
      if (form.get('redirect_uri') !== info.redirectUri)
        return error('invalid_grant', 'AADSTS50148: The redirect_uri does not match the one used in the authorization request.');
      const verifier = form.get('code_verifier');
      if (!verifier) return error('invalid_request', "AADSTS50148: The request must contain the 'code_verifier' parameter.");
      if (b64url(createHash('sha256').update(verifier).digest()) !== info.challenge) {
        return error(
          'invalid_grant',
          'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
      return this.tokenResponse(info.userId, info.clientId, form.get('scope') ?? info.scope);
    }
    if (grant === 'refresh_token') {
      const info = this.refresh.get(form.get('refresh_token') ?? '');
      if (!info) return error('invalid_grant', 'AADSTS9002313: Invalid request. The refresh token is malformed, expired or revoked.');
      return this.tokenResponse(info.userId, info.clientId, form.get('scope') ?? info.scope);
    }
    return error('unsupported_grant_type', `AADSTS70003: The app requested an unsupported grant type '${grant ?? ''}'.`);
  }

  private tokenResponse(userId: string, clientId: string, scope: string): OAuthResult {
    const access = this.issue(userId, ACCESS_TTL_S);
    const rt = opaque('sbxrt.');
    this.refresh.set(rt, { userId, clientId, scope });
    const now = Math.floor(Date.now() / 1000);
    const who = this.userName(userId);
    const claims = {
      aud: clientId,
      iss: `https://login.microsoftonline.com/${this.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + ACCESS_TTL_S,
      oid: userId,
      tid: this.tenantId,
      sub: userId,
      preferred_username: who.upn,
      name: who.name,
      ver: '2.0',
    };
    const idToken = [
      b64url(Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' }))),
      b64url(Buffer.from(JSON.stringify(claims))),
      'sandbox',
    ].join('.');
    const body = {
      token_type: 'Bearer',
      scope,
      expires_in: ACCESS_TTL_S,
      ext_expires_in: ACCESS_TTL_S,
      access_token: access,
      refresh_token: rt,
      id_token: idToken,
      client_info: b64url(Buffer.from(JSON.stringify({ uid: userId, utid: this.tenantId }))),
    };
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      body: JSON.stringify(body),
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.codes) if (v.expiresAt < now) this.codes.delete(k);
  }
}
