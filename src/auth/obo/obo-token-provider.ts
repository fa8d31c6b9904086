// Types only: MSAL is loaded on the first token exchange, so start-up stays fast.
import type { AuthenticationResult, ConfidentialClientApplication } from '@azure/msal-node';
import { createHash } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { cacheKeys } from '../../cache/cache-keys';
import { ToolError } from '../../common/tool-error';
import type { AuthDeps } from '../auth-deps';
import { nestLogger } from '../auth-logger';
import { describeMsalError } from '../msal-token-provider';
import type { CallerContext, ResolvedToken, SignedInAccount, SignInResult, SignOutResult, TokenProvider } from '../token-provider';
import { EntraTokenValidator, EntraUser, SigningKeysUnavailableError, TokenRejectedError } from './entra-token-validator';
import { OboCacheStore, PartitionedCachePlugin } from './obo-token-cache';
import { ENTRA_AUTHORITY_HOST, OBO_REQUIRED_SCOPE } from './obo-deps';

type Msal = typeof import('@azure/msal-node');

/** Per-user MSAL clients kept in memory (each holds only its plugin; the tokens live in the store). */
const MAX_CLIENTS = 1000;

export const NO_BEARER_MESSAGE =
  "This multi-user server needs the user's Microsoft Entra access token on every request (Authorization: Bearer), " +
  'and this call carried none. The MCP client must sign the user in (OAuth) with the scope ' +
  `api://<CLIENT_ID>/${OBO_REQUIRED_SCOPE}; sign_in cannot do it from here.`;

function toAccount(user: EntraUser): SignedInAccount {
  return { userKey: user.userKey, username: user.username, name: user.name };
}

/**
 * Multi-user on-behalf-of mode (CLIENT_SECRET set): each call carries the user's token for this server's
 * app registration; it is validated and exchanged with MSAL `acquireTokenOnBehalfOf` for a Dataverse token
 * (scope `<DATAVERSE_URL>/.default`). The incoming token is never sent to Dataverse.
 *
 * MSAL's token cache is partitioned per user (`mcp:<env host>:<user key>:msal`) in the shared Redis,
 * so replicas reuse each other's exchanges; without Redis it stays in this process.
 */
export class OboTokenProvider implements TokenProvider {
  readonly mode = 'obo' as const;
  private msal?: Promise<Msal>;
  private readonly clients = new Map<string, ConfidentialClientApplication>();
  /** One exchange per incoming token at a time. */
  private readonly inflight = new Map<string, Promise<ResolvedToken>>();
  /** MSAL's cache of one user is read, changed and written by one call at a time per process. */
  private readonly userLocks = new Map<string, Promise<unknown>>();
  private readonly listeners: Array<(account: SignedInAccount) => void> = [];
  private readonly logger: LoggerService;
  private readonly envHost: string;

  constructor(
    private readonly config: AppConfig,
    private readonly validator: EntraTokenValidator,
    private readonly store: OboCacheStore,
    private readonly deps: AuthDeps = {},
  ) {
    this.logger = deps.logger ?? nestLogger;
    this.envHost = config.dataverseUrl ? new URL(config.dataverseUrl).host.toLowerCase() : '';
  }

  async getToken(caller?: CallerContext, opts?: { forceRefresh?: boolean }): Promise<ResolvedToken> {
    const user = await this.caller(caller);
    const assertion = caller!.bearer!;
    const flightKey = createHash('sha256').update(assertion).digest('base64url') + (opts?.forceRefresh ? ':force' : '');
    let pending = this.inflight.get(flightKey);
    if (!pending) {
      pending = this.withUserLock(user.userKey, () => this.exchange(user, assertion, !!opts?.forceRefresh)).finally(() =>
        this.inflight.delete(flightKey),
      );
      this.inflight.set(flightKey, pending);
    }
    return pending;
  }

  async currentAccount(caller?: CallerContext): Promise<SignedInAccount | undefined> {
    try {
      return toAccount(await this.caller(caller));
    } catch {
      return undefined;
    }
  }

  async signIn(caller?: CallerContext): Promise<SignInResult> {
    const user = await this.caller(caller).catch(() => undefined);
    const who = user
      ? ` You are signed in as ${user.name ?? user.username ?? user.userKey}${user.name && user.username ? ` (${user.username})` : ''}.`
      : '';
    return {
      status: 'not_needed',
      message:
        'No sign-in needed here: this is a multi-user server, and your MCP client signs you in with Microsoft Entra ID and sends ' +
        `your token with every request; the server uses it to act as you in Dataverse.${who} Go ahead with the Dataverse tools.`,
    };
  }

  /** Drops this user's cached Dataverse tokens (on every replica: they share the store). The client's own sign-in is untouched. */
  async signOut(caller?: CallerContext): Promise<SignOutResult> {
    const user = await this.caller(caller);
    let removed: boolean;
    try {
      removed = await this.withUserLock(user.userKey, () => this.store.delete(this.cacheKey(user.userKey)));
    } catch (err) {
      throw new ToolError(
        'unavailable',
        `Could not remove your cached tokens: the token cache is unreachable (${err instanceof Error ? err.message : String(err)}). Try sign_out again in a moment.`,
      );
    }
    this.clients.delete(this.clientKey(user));
    for (const listener of this.listeners) {
      try {
        listener(toAccount(user));
      } catch (err) {
        this.logger.warn?.(`A sign-out listener failed: ${(err as Error).message}`);
      }
    }
    this.logger.log?.(`Dropped the cached Dataverse tokens of user ${user.userKey}.`);
    return { signedOut: true, removedAccounts: removed ? 1 : 0 };
  }

  onSignedOut(listener: (account: SignedInAccount) => void): void {
    this.listeners.push(listener);
  }

  private async caller(caller?: CallerContext): Promise<EntraUser> {
    const problem = this.configurationProblem();
    if (problem) throw problem;
    if (!caller?.bearer) throw new ToolError('sign_in_required', NO_BEARER_MESSAGE);
    try {
      return await this.validator.validate(caller.bearer);
    } catch (err) {
      if (err instanceof TokenRejectedError) {
        throw new ToolError('sign_in_required', `Your access token was not accepted: ${err.description} Sign in again in your MCP client.`);
      }
      if (err instanceof SigningKeysUnavailableError) {
        throw new ToolError('unavailable', `${err.message} Retry in a moment.`);
      }
      throw err;
    }
  }

  private configurationProblem(): ToolError | undefined {
    const missing = [
      !this.config.clientId && 'CLIENT_ID',
      !this.config.clientSecret && 'CLIENT_SECRET',
      !this.config.dataverseUrl && 'DATAVERSE_URL',
    ].filter(Boolean);
    if (!missing.length) return undefined;
    return new ToolError(
      'configuration',
      `Multi-user mode is not fully configured: ${missing.join(', ')} missing. Tell the administrator of this server.`,
    );
  }

  private cacheKey(userKey: string): string {
    return `${cacheKeys.userPrefix(this.envHost, userKey)}msal`;
  }

  private clientKey(user: EntraUser): string {
    return `${user.tid}:${user.userKey}`;
  }

  private async exchange(user: EntraUser, assertion: string, forceRefresh: boolean): Promise<ResolvedToken> {
    const msal = await (this.msal ??= import('@azure/msal-node'));
    const app = this.client(msal, user);
    let result: AuthenticationResult | null;
    try {
      // The on-behalf-of cache lookup does not consult the plugin: load this user's entry from the store first.
      await app.getTokenCache().overwriteCache();
      result = await app.acquireTokenOnBehalfOf({
        oboAssertion: assertion,
        scopes: [`${this.config.dataverseUrl}/.default`],
        skipCache: forceRefresh,
      });
    } catch (err) {
      throw this.describeFailure(msal, err);
    }
    if (!result?.accessToken) {
      throw new ToolError(
        'unavailable',
        'Microsoft Entra ID returned no Dataverse token for the on-behalf-of exchange. Retry in a moment.',
      );
    }
    return { token: result.accessToken, expiresOn: result.expiresOn ?? undefined, account: toAccount(user) };
  }

  private client(msal: Msal, user: EntraUser): ConfidentialClientApplication {
    const key = this.clientKey(user);
    let client = this.clients.get(key);
    if (client) {
      // Most recently used last: the map's first entry is the one to evict.
      this.clients.delete(key);
      this.clients.set(key, client);
      return client;
    }
    client = new msal.ConfidentialClientApplication({
      // The user's own tenant: the exchange must happen where the incoming token was issued.
      auth: { clientId: this.config.clientId!, clientSecret: this.config.clientSecret, authority: `${ENTRA_AUTHORITY_HOST}/${user.tid}` },
      cache: { cachePlugin: new PartitionedCachePlugin(this.store, this.cacheKey(user.userKey)) },
      system: this.deps.networkClient ? { networkClient: this.deps.networkClient } : undefined,
    });
    this.clients.set(key, client);
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    return client;
  }

  private withUserLock<T>(userKey: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.userLocks.get(userKey) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.userLocks.set(userKey, settled);
    void settled.then(() => {
      if (this.userLocks.get(userKey) === settled) this.userLocks.delete(userKey);
    });
    return run;
  }

  private describeFailure(msal: Msal, err: unknown): ToolError {
    const code = (err as { errorCode?: string })?.errorCode ?? '';
    const text = describeMsalError(err);
    if (code === 'invalid_client' || code === 'unauthorized_client') {
      this.logger.error?.(`The on-behalf-of exchange was refused for the server's credentials: ${text}`);
      return new ToolError(
        'configuration',
        "Microsoft Entra ID refused this server's credentials (CLIENT_ID / CLIENT_SECRET) for the token exchange: tell the administrator of this server (the client secret may have expired).",
      );
    }
    if (
      err instanceof msal.InteractionRequiredAuthError ||
      code === 'invalid_grant' ||
      code === 'interaction_required' ||
      code === 'consent_required'
    ) {
      return new ToolError(
        'sign_in_required',
        `Microsoft Entra ID would not exchange your token for Dataverse access (${text}). If it mentions consent (AADSTS65001), an administrator must ` +
          "grant admin consent for the Dynamics CRM user_impersonation permission of this server's app registration; otherwise sign in again in your MCP client.",
      );
    }
    this.logger.warn?.(`The on-behalf-of token exchange failed: ${text}`);
    return new ToolError('unavailable', `Could not get a Dataverse token from Microsoft Entra ID (${text}). Retry in a moment.`);
  }
}
