import { createHash, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { ToolError } from '../common/tool-error';
import { AuthDeps, systemClock } from './auth-deps';
import { nestLogger } from './auth-logger';
import { BrowserSignIn } from './browser-sign-in';
import { SignedInTokenProvider } from './signed-in-token-provider';
import { ResolvedToken, SIGN_IN_EXPIRED_MESSAGE, SignedInAccount, SignInResult } from './token-provider';

const SANDBOX_CLIENT_ID = 'dataverse-mcp-sandbox';
const HTTP_TIMEOUT_MS = 10_000;

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
  // Optional identity fields the sandbox may add; otherwise WhoAmI tells us.
  systemuserid?: string;
  user_id?: string;
  oid?: string;
  name?: string;
  fullname?: string;
  preferred_username?: string;
  username?: string;
  /** The emulator sends an unsigned id token carrying oid (the systemuserid), name and preferred_username. */
  id_token?: string;
}

/** Claims of the sandbox's unsigned id token; only used to name the account, never trusted for access. */
function idTokenClaims(idToken: string | undefined): { oid?: string; name?: string; preferred_username?: string } | undefined {
  const payload = idToken?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return { oid: str(claims.oid), name: str(claims.name), preferred_username: str(claims.preferred_username) };
  } catch {
    return undefined;
  }
}

/**
 * The sandbox identity: the same redirect path as the real flow, against the emulator's stand-in identity provider
 * (`/sandbox/oauth2/authorize` redirects straight back with a code; `/sandbox/oauth2/token` redeems it). Tokens live in memory.
 */
export class SandboxTokenProvider extends SignedInTokenProvider {
  readonly mode = 'sandbox' as const;
  private refreshToken?: string;
  private account?: SignedInAccount;
  private readonly browser: BrowserSignIn;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly config: AppConfig,
    deps: AuthDeps = {},
  ) {
    super(deps.clock ?? systemClock, deps.logger ?? nestLogger);
    this.fetch = deps.fetch ?? fetch;
    this.browser = new BrowserSignIn({
      host: config.authRedirectHost,
      port: config.authRedirectPort,
      redirectUriHost: deps.redirectUriHost ?? 'localhost',
      clock: this.clock,
      logger: this.logger,
      hint: 'This is the sandbox: opening the link signs in as the sandbox user without a password.',
      onFailure: (err) => this.failed(err),
      onSuccess: () => undefined,
      adapter: {
        createPkce: async () => {
          const verifier = randomBytes(32).toString('base64url');
          return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
        },
        authUrl: async ({ redirectUri, challenge, state, nonce }) => {
          const query = new URLSearchParams({
            response_type: 'code',
            client_id: this.clientId(),
            redirect_uri: redirectUri,
            scope: this.scope(),
            state,
            nonce,
            code_challenge: challenge,
            code_challenge_method: 'S256',
          });
          return `${this.baseUrl()}/sandbox/oauth2/authorize?${query}`;
        },
        exchange: async ({ code, verifier, redirectUri }) => {
          const body = await this.tokenRequest({
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri,
            code_verifier: verifier,
          });
          const token = await this.accept(body);
          this.signedIn(token);
          return token.account;
        },
        describeFailure: (err) =>
          err instanceof ToolError ? err.message.replace(/\.$/, '') : `the sandbox token endpoint failed (${(err as Error).name})`,
      },
    });
  }

  protected configurationProblem(): ToolError | undefined {
    return undefined;
  }

  protected async acquireSilently(): Promise<ResolvedToken> {
    const refreshToken = this.refreshToken;
    if (!refreshToken || !this.account) throw this.notSignedIn();
    let body: TokenResponse;
    try {
      body = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
    } catch (err) {
      if (err instanceof ToolError && err.details?.error === 'invalid_grant') {
        this.refreshToken = undefined;
        throw new ToolError('sign_in_required', SIGN_IN_EXPIRED_MESSAGE);
      }
      throw err;
    }
    return this.accept(body, this.account);
  }

  protected pendingSignIn(): Extract<SignInResult, { status: 'pending' }> | undefined {
    return this.browser.current();
  }

  protected waitingMessage(): string | undefined {
    return this.browser.waitingMessage();
  }

  protected startSignIn(): Promise<SignInResult> {
    this.baseUrl();
    return this.browser.start();
  }

  protected cancelPending(): Promise<void> {
    return this.browser.cancel();
  }

  protected async removeAccounts(): Promise<SignedInAccount[]> {
    const account = this.account;
    this.account = undefined;
    this.refreshToken = undefined;
    return account ? [account] : [];
  }

  protected async storedAccount(): Promise<SignedInAccount | undefined> {
    return this.account;
  }

  private baseUrl(): string {
    const url = this.config.dataverseUrl;
    if (!url) throw new ToolError('unavailable', 'The sandbox is still starting; try again in a moment.');
    return url;
  }

  private clientId(): string {
    return this.config.clientId ?? SANDBOX_CLIENT_ID;
  }

  private scope(): string {
    return `${this.baseUrl()}/user_impersonation`;
  }

  private async tokenRequest(form: Record<string, string>): Promise<TokenResponse> {
    const res = await this.fetch(`${this.baseUrl()}/sandbox/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ ...form, client_id: this.clientId() }).toString(),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as TokenResponse;
    if (!res.ok || !body.access_token) {
      const error = typeof body.error === 'string' ? body.error.slice(0, 100) : `HTTP ${res.status}`;
      const description = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 300)}` : '';
      throw new ToolError('sign_in_failed', `the sandbox identity provider answered ${error}${description}.`, { error: body.error });
    }
    return body;
  }

  /** Keeps the refresh token; works out who signed in (from the response, else WhoAmI). */
  private async accept(body: TokenResponse, known?: SignedInAccount): Promise<ResolvedToken> {
    const token = body.access_token!;
    if (body.refresh_token) this.refreshToken = body.refresh_token;
    const expiresOn = typeof body.expires_in === 'number' ? new Date(this.clock.now() + body.expires_in * 1000) : undefined;
    const account = known ?? this.accountFromResponse(body) ?? (await this.whoAmI(token));
    this.account = account;
    return { token, expiresOn, account };
  }

  private accountFromResponse(body: TokenResponse): SignedInAccount | undefined {
    const claims = idTokenClaims(body.id_token);
    const userKey = body.systemuserid ?? body.user_id ?? body.oid ?? claims?.oid;
    if (!userKey) return undefined;
    return {
      userKey: userKey.toLowerCase(),
      name: body.name ?? body.fullname ?? claims?.name,
      username: body.preferred_username ?? body.username ?? claims?.preferred_username,
    };
  }

  private async whoAmI(token: string): Promise<SignedInAccount> {
    const api = `${this.baseUrl()}/api/data/v9.2`;
    const get = async (path: string) => {
      const res = await this.fetch(`${api}/${path}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      if (!res.ok) throw new ToolError('sign_in_failed', `the sandbox WhoAmI call answered HTTP ${res.status}.`);
      return (await res.json()) as Record<string, unknown>;
    };
    const { UserId } = (await get('WhoAmI')) as { UserId?: string };
    if (typeof UserId !== 'string' || !/^[0-9a-f-]{36}$/i.test(UserId))
      throw new ToolError('sign_in_failed', 'the sandbox WhoAmI call returned no user id.');
    const user = await get(`systemusers(${UserId})?$select=fullname`).catch(() => ({}) as Record<string, unknown>);
    return { userKey: UserId.toLowerCase(), name: typeof user.fullname === 'string' ? user.fullname : undefined };
  }
}
