/* Test helpers (used by the auth specs only): an identity provider played through MSAL's injected networkClient,
 * a manual clock, a browser, and a Nest log capture. */
import { createHash, randomBytes } from 'node:crypto';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { ConsoleLogger, Logger, LoggerService } from '@nestjs/common';
import { TOOLSETS, type AppConfig } from '../../config/app-config';
import type { Clock } from '../auth-deps';

export const TENANT_ID = '11111111-2222-3333-4444-555555555555';
export const CLIENT_ID = '99999999-8888-7777-6666-555555555555';
export const USER_OID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const DATAVERSE_URL = 'https://contoso.crm4.dynamics.com';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface RecordedPost {
  url: string;
  form: URLSearchParams;
}

interface IssuedCode {
  challenge: string;
  redirectUri: string;
  nonce?: string;
}

/** Plays login.microsoftonline.com: /authorize (via `authorize(url)`), /token and /devicecode. */
export class FakeIdentityProvider implements INetworkModule {
  readonly posts: RecordedPost[] = [];
  /** Every secret handed out (codes, tokens, verifiers): a log line must never contain one. */
  readonly secrets = new Set<string>();
  accessTokenLifetimeSeconds = 3599;
  refreshError?: string;
  /** Device code: how many polls answer authorization_pending before success, or an error to answer with. */
  devicePendingPolls = 2;
  deviceError?: string;
  private readonly codes = new Map<string, IssuedCode>();
  private issued = 0;

  constructor(private readonly user = { oid: USER_OID, username: 'ada@contoso.com', name: 'Ada Lovelace' }) {}

  tokenPosts(grant: string): RecordedPost[] {
    return this.posts.filter((p) => p.url.endsWith('/oauth2/v2.0/token') && p.form.get('grant_type') === grant);
  }

  /** The user signs in at the authorize URL; returns where the identity provider redirects the browser. */
  authorize(authUrl: string): string {
    const url = new URL(authUrl);
    const p = url.searchParams;
    const code = `CODE-${randomBytes(12).toString('hex')}`;
    this.secrets.add(code);
    this.codes.set(code, {
      challenge: p.get('code_challenge') ?? '',
      redirectUri: p.get('redirect_uri') ?? '',
      nonce: p.get('nonce') ?? undefined,
    });
    const redirect = new URL(p.get('redirect_uri') ?? '');
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', p.get('state') ?? '');
    return redirect.toString();
  }

  async sendGetRequestAsync<T>(url: string): Promise<NetworkResponse<T>> {
    return { status: 404, headers: {}, body: { error: 'not_found', error_description: `unexpected GET ${url}` } as T };
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const form = new URLSearchParams(options?.body ?? '');
    url = url.split('?')[0];
    this.posts.push({ url, form });
    if (url.endsWith('/oauth2/v2.0/devicecode')) return this.reply<T>(200, this.deviceCode());
    if (!url.endsWith('/oauth2/v2.0/token')) return this.reply<T>(404, { error: 'not_found' });
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.reply<T>(...this.redeemCode(form));
      case 'refresh_token':
        if (this.refreshError) return this.reply<T>(400, this.error(this.refreshError));
        return this.reply<T>(200, this.tokens());
      case 'device_code':
      case 'urn:ietf:params:oauth:grant-type:device_code':
        if (this.deviceError) return this.reply<T>(400, this.error(this.deviceError));
        if (this.devicePendingPolls-- > 0) return this.reply<T>(400, this.error('authorization_pending'));
        return this.reply<T>(200, this.tokens());
      default:
        return this.reply<T>(400, this.error('unsupported_grant_type'));
    }
  }

  private redeemCode(form: URLSearchParams): [number, object] {
    const code = form.get('code') ?? '';
    const issued = this.codes.get(code);
    this.secrets.add(form.get('code_verifier') ?? 'no-verifier');
    if (!issued) return [400, this.error('invalid_grant')];
    this.codes.delete(code);
    const challenge = createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest('base64url');
    if (challenge !== issued.challenge || form.get('redirect_uri') !== issued.redirectUri) return [400, this.error('invalid_grant')];
    return [200, this.tokens(issued.nonce)];
  }

  private deviceCode(): object {
    return {
      user_code: 'ABCD-EFGH',
      device_code: 'DEVICE-CODE-SECRET',
      verification_uri: 'https://microsoft.com/devicelogin',
      expires_in: 900,
      interval: 0,
      message:
        'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate.',
    };
  }

  private tokens(nonce?: string): object {
    const n = ++this.issued;
    const accessToken = `AT-${n}-${randomBytes(8).toString('hex')}`;
    const refreshToken = `RT-${n}-${randomBytes(8).toString('hex')}`;
    this.secrets.add(accessToken);
    this.secrets.add(refreshToken);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: CLIENT_ID,
      iss: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      oid: this.user.oid,
      tid: TENANT_ID,
      sub: 'subject-1',
      preferred_username: this.user.username,
      name: this.user.name,
      ...(nonce ? { nonce } : {}),
    };
    return {
      token_type: 'Bearer',
      scope: `${DATAVERSE_URL}/user_impersonation`,
      expires_in: this.accessTokenLifetimeSeconds,
      ext_expires_in: this.accessTokenLifetimeSeconds,
      access_token: accessToken,
      refresh_token: refreshToken,
      client_info: b64url({ uid: this.user.oid, utid: TENANT_ID }),
      id_token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.sig`,
    };
  }

  private error(code: string): object {
    return {
      error: code,
      error_description: `AADSTS00000: ${code} (fake identity provider)`,
      error_codes: [0],
      timestamp: new Date().toISOString(),
    };
  }

  private reply<T>(status: number, body: object): NetworkResponse<T> {
    return { status, headers: {}, body: body as T };
  }
}

/** Time that moves only when told to; timers fire on `advance`. */
export class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void }> = [];
  constructor(private t = Date.now()) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((t) => t.at <= this.t);
    this.timers = this.timers.filter((t) => t.at > this.t);
    for (const timer of due) timer.fn();
  }
}

/** Plays the browser arriving at our redirect listener (`localhost` → 127.0.0.1, where the tests listen). */
export async function visit(url: string): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  if (target.hostname === 'localhost') target.hostname = '127.0.0.1';
  const res = await fetch(target, { redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/** Resolves once nothing listens on the port any more (the listener closes right after its last page). */
export async function waitUntilClosed(port: number, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Captures every Nest Logger line (all levels) for the "no secrets in logs" checks. */
export function captureNestLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      lines.push(`${level} ${[message, ...rest].map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}`);
    };
  const capture: LoggerService = {
    log: push('log'),
    error: push('error'),
    warn: push('warn'),
    debug: push('debug'),
    verbose: push('verbose'),
    fatal: push('fatal'),
  };
  Logger.overrideLogger(capture);
  return { lines, restore: () => Logger.overrideLogger(new ConsoleLogger()) };
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    dataverseUrl: DATAVERSE_URL,
    dataverseApiUrl: `${DATAVERSE_URL}/api/data/v9.2/`,
    clientId: CLIENT_ID,
    tenantId: TENANT_ID,
    authFlow: 'interactive',
    authMode: 'interactive',
    authRedirectHost: '127.0.0.1',
    authRedirectPort: 0,
    tokenCacheDir: '/nonexistent',
    mcpBaseUrl: 'http://localhost:8000',
    transports: ['stdio'],
    mcpHost: '127.0.0.1',
    mcpPort: 8199,
    allowedOrigins: [],
    confirmTokenTtlSeconds: 120,
    cursorTtlSeconds: 900,
    cacheTtl: { identitySeconds: 86400, tablesSeconds: 86400, schemaSeconds: 3600 },
    toolsets: [...TOOLSETS],
    readOnly: false,
    allowDelete: true,
    logLevel: 'info',
    sandbox: false,
    ...overrides,
  };
}
