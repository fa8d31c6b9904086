// Types only: the library itself is loaded on first use, so server start-up stays fast.
import type { AccountInfo, AuthenticationResult, DeviceCodeRequest, PublicClientApplication } from '@azure/msal-node';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ToolError } from '../common/tool-error';
import { AuthDeps, systemClock } from './auth-deps';
import { BrowserSignIn } from './browser-sign-in';
import { FileTokenCachePlugin, tokenCacheFileName } from './file-token-cache';
import { SignedInTokenProvider } from './signed-in-token-provider';
import { PENDING_SIGN_IN_TTL_MS, ResolvedToken, SIGN_IN_EXPIRED_MESSAGE, SignedInAccount, SignInResult } from './token-provider';
import { nestLogger } from './auth-logger';
import { clientLog } from '../logging/client/client-log';

type Msal = typeof import('@azure/msal-node');
type PendingResult = Extract<SignInResult, { status: 'pending' }>;

interface PendingDevice {
  verificationUri: string;
  userCode: string;
  expiresAt: number;
  request: DeviceCodeRequest;
  timer: unknown;
}

export function clientIdMissingMessage(config: AppConfig): string {
  return (
    'Sign-in is not configured: CLIENT_ID is not set. Tell the user to register an app in Microsoft Entra ID ' +
    '(Azure portal → App registrations → New registration) as a public client: platform "Mobile and desktop applications" ' +
    `with the redirect URI http://localhost:${config.authRedirectPort}, "Allow public client flows" enabled (needed for device code), ` +
    'and the delegated API permission Dynamics CRM → user_impersonation. Then set CLIENT_ID to the Application (client) ID ' +
    'and TENANT_ID to the Directory (tenant) ID in the server configuration and restart the server.'
  );
}

export function toSignedInAccount(account: AccountInfo): SignedInAccount {
  const oid = account.idTokenClaims?.oid;
  return {
    userKey: (typeof oid === 'string' && oid) || account.localAccountId || account.homeAccountId.split('.')[0],
    username: account.username || undefined,
    name: account.name || undefined,
  };
}

/** Short, safe description of an MSAL error: its code and the first line of the server's message (never tokens). */
export function describeMsalError(err: unknown): string {
  const e = err as { errorCode?: string; errorMessage?: string; message?: string; name?: string };
  const text = (e?.errorMessage ?? '')
    .split(/\r?\n/)[0]
    .replace(/\s*Trace ID:.*$/i, '')
    .slice(0, 300);
  return [e?.errorCode || e?.name || 'error', text].filter(Boolean).join(': ');
}

function isReauthError(msal: Msal, err: unknown): boolean {
  if (err instanceof msal.InteractionRequiredAuthError) return true;
  const code = (err as { errorCode?: string })?.errorCode;
  return code === 'invalid_grant' || code === 'interaction_required' || code === 'no_tokens_found';
}

/** Single-user sign-in with MSAL Node: authorization code + PKCE through our redirect listener, or device code. */
export class MsalTokenProvider extends SignedInTokenProvider {
  readonly mode: 'interactive' | 'device-code';
  private client?: Promise<{ msal: Msal; pca: PublicClientApplication }>;
  private homeAccountId?: string;
  private readonly browser: BrowserSignIn;
  private device?: PendingDevice;
  private deviceStarting?: Promise<PendingResult>;
  private readonly cachePlugin?: FileTokenCachePlugin;

  constructor(
    private readonly config: AppConfig,
    private readonly deps: AuthDeps = {},
  ) {
    super(deps.clock ?? systemClock, deps.logger ?? nestLogger);
    this.mode = config.authMode === 'device-code' ? 'device-code' : 'interactive';
    if (config.clientId && config.dataverseUrl) {
      const file = join(config.tokenCacheDir, tokenCacheFileName(config.dataverseUrl, config.clientId));
      this.cachePlugin = new FileTokenCachePlugin(file, this.logger, deps.fileSystem);
    }
    this.browser = new BrowserSignIn({
      host: config.authRedirectHost,
      port: config.authRedirectPort,
      redirectUriHost: deps.redirectUriHost ?? 'localhost',
      clock: this.clock,
      logger: this.logger,
      onFailure: (err) => this.failed(err),
      onSuccess: () => undefined,
      adapter: {
        createPkce: async () => new (await this.msal()).msal.CryptoProvider().generatePkceCodes(),
        authUrl: async ({ redirectUri, challenge, state, nonce }) =>
          (await this.msal()).pca.getAuthCodeUrl({
            scopes: this.scopes(),
            redirectUri,
            codeChallenge: challenge,
            codeChallengeMethod: 'S256',
            state,
            nonce,
            prompt: 'select_account',
          }),
        exchange: async ({ code, verifier, redirectUri, nonce }) => {
          const { pca } = await this.msal();
          const result = await pca.acquireTokenByCode({ code, scopes: this.scopes(), redirectUri, codeVerifier: verifier, nonce });
          return (await this.completeSignIn(result)).account;
        },
        describeFailure: describeMsalError,
      },
    });
  }

  get tokenCacheFile(): string | undefined {
    return this.cachePlugin?.filePath;
  }

  protected configurationProblem(): ToolError | undefined {
    if (!this.config.clientId) return new ToolError('configuration', clientIdMissingMessage(this.config));
    if (!this.config.dataverseUrl) {
      return new ToolError(
        'configuration',
        'DATAVERSE_URL is not set: set it to the environment URL, e.g. https://contoso.crm.dynamics.com, and restart the server.',
      );
    }
    return undefined;
  }

  protected async acquireSilently(forceRefresh: boolean): Promise<ResolvedToken> {
    const { msal, pca } = await this.msal();
    const account = await this.findAccount(pca);
    if (!account) throw this.notSignedIn();
    try {
      const result = await pca.acquireTokenSilent({ account, scopes: this.scopes(), forceRefresh });
      return this.toResolved(result);
    } catch (err) {
      if (isReauthError(msal, err)) {
        this.logger.log?.(
          `The stored sign-in can no longer be refreshed (${(err as { errorCode?: string }).errorCode}); the user must sign in again.`,
        );
        clientLog.warn('The Dataverse sign-in has expired: sign in again (the assistant can start it with sign_in).', 'call');
        throw new ToolError('sign_in_required', SIGN_IN_EXPIRED_MESSAGE);
      }
      this.logger.warn?.(`Refreshing the Dataverse token failed: ${describeMsalError(err)}`);
      throw new ToolError(
        'unavailable',
        `Could not refresh the Dataverse sign-in (${describeMsalError(err)}). Check the network connection and retry; if it keeps failing, call sign_in.`,
      );
    }
  }

  protected pendingSignIn(): PendingResult | undefined {
    return this.mode === 'interactive' ? this.browser.current() : this.liveDevice() && this.describeDevice(this.liveDevice()!);
  }

  protected waitingMessage(): string | undefined {
    if (this.mode === 'interactive') return this.browser.waitingMessage();
    const device = this.liveDevice();
    return (
      device &&
      `A sign-in is waiting for the user: ask them to open ${device.verificationUri} and enter the code ${device.userCode} ` +
        `(valid until ${new Date(device.expiresAt).toISOString()}), then retry this request.`
    );
  }

  protected startSignIn(): Promise<SignInResult> {
    if (this.mode === 'interactive') return this.browser.start();
    this.deviceStarting ??= this.startDeviceCode().finally(() => (this.deviceStarting = undefined));
    return this.deviceStarting;
  }

  protected async cancelPending(): Promise<void> {
    await this.browser.cancel();
    const device = this.device;
    if (device) this.endDevice(device);
  }

  protected async removeAccounts(): Promise<SignedInAccount[]> {
    const { pca } = await this.msal();
    const cache = pca.getTokenCache();
    const accounts = await cache.getAllAccounts();
    for (const account of accounts) await cache.removeAccount(account);
    this.homeAccountId = undefined;
    return accounts.map(toSignedInAccount);
  }

  protected async storedAccount(): Promise<SignedInAccount | undefined> {
    const { pca } = await this.msal();
    const account = await this.findAccount(pca);
    return account && toSignedInAccount(account);
  }

  private scopes(): string[] {
    return [`${this.config.dataverseUrl}/user_impersonation`];
  }

  private msal(): Promise<{ msal: Msal; pca: PublicClientApplication }> {
    this.client ??= this.createClient().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  private async createClient(): Promise<{ msal: Msal; pca: PublicClientApplication }> {
    const msal = await import('@azure/msal-node');
    const logger = this.logger;
    const pca = new msal.PublicClientApplication({
      auth: { clientId: this.config.clientId!, authority: `https://login.microsoftonline.com/${this.config.tenantId}` },
      cache: this.cachePlugin ? { cachePlugin: this.cachePlugin } : undefined,
      system: {
        networkClient: this.deps.networkClient,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: msal.LogLevel.Warning,
          loggerCallback: (level, message) => {
            // Our own cancellation of a pending device-code sign-in is not an error.
            if (message.includes('DeviceCodeRequest.cancel')) return;
            if (level === msal.LogLevel.Error) logger.error?.(message);
            else logger.warn?.(message);
          },
        },
      },
    });
    return { msal, pca };
  }

  private async findAccount(pca: PublicClientApplication): Promise<AccountInfo | undefined> {
    const accounts = await pca.getTokenCache().getAllAccounts();
    return accounts.find((a) => a.homeAccountId === this.homeAccountId) ?? accounts[0];
  }

  private toResolved(result: AuthenticationResult): ResolvedToken {
    if (!result.account)
      throw new ToolError('sign_in_failed', 'The identity provider returned a token without an account. Call sign_in again.');
    this.homeAccountId = result.account.homeAccountId;
    return { token: result.accessToken, expiresOn: result.expiresOn ?? undefined, account: toSignedInAccount(result.account) };
  }

  /** Keeps the new token and drops any other account: one user at a time in single-user mode. */
  private async completeSignIn(result: AuthenticationResult): Promise<ResolvedToken> {
    const resolved = this.toResolved(result);
    const { pca } = await this.msal();
    const cache = pca.getTokenCache();
    const others = (await cache.getAllAccounts()).filter((a) => a.homeAccountId !== result.account?.homeAccountId);
    for (const other of others) await cache.removeAccount(other);
    this.notifySignedOut(others.map(toSignedInAccount));
    this.signedIn(resolved);
    return resolved;
  }

  private liveDevice(): PendingDevice | undefined {
    const device = this.device;
    if (device && this.clock.now() >= device.expiresAt) {
      this.endDevice(device);
      return undefined;
    }
    return device;
  }

  private endDevice(device: PendingDevice): void {
    if (this.device === device) this.device = undefined;
    // MSAL checks the flag between polls and stops.
    device.request.cancel = true;
    this.clock.clearTimeout(device.timer);
  }

  private describeDevice(device: PendingDevice): PendingResult {
    const expiresAt = new Date(device.expiresAt).toISOString();
    return {
      status: 'pending',
      flow: 'device-code',
      verificationUri: device.verificationUri,
      userCode: device.userCode,
      expiresAt,
      message:
        `Sign-in started. Show this to the user: open ${device.verificationUri} in a browser and enter the code ${device.userCode}, ` +
        `then sign in with their Microsoft account (valid until ${expiresAt}). After they have signed in, retry the request that needed sign-in.`,
    };
  }

  private async startDeviceCode(): Promise<PendingResult> {
    const { pca } = await this.msal();
    return new Promise<PendingResult>((resolve, reject) => {
      let pending: PendingDevice | undefined;
      const request: DeviceCodeRequest = {
        scopes: this.scopes(),
        timeout: PENDING_SIGN_IN_TTL_MS / 1000,
        deviceCodeCallback: (response) => {
          const now = this.clock.now();
          const ttl = Math.min(PENDING_SIGN_IN_TTL_MS, response.expiresIn * 1000);
          const device: PendingDevice = {
            verificationUri: response.verificationUri,
            userCode: response.userCode,
            expiresAt: now + ttl,
            request,
            timer: this.clock.setTimeout(() => {
              if (this.device === device) {
                this.logger.log?.('The pending device-code sign-in expired; polling stopped.');
                this.endDevice(device);
              }
            }, ttl),
          };
          pending = device;
          this.device = device;
          this.logger.log?.('Device-code sign-in pending; polling for the user to finish.');
          resolve(this.describeDevice(device));
        },
      };
      pca.acquireTokenByDeviceCode(request).then(
        async (result) => {
          if (!pending || this.device !== pending) return;
          this.endDevice(pending);
          if (!result) {
            this.failed(new ToolError('sign_in_failed', 'Sign-in did not complete. Call sign_in to try again.'));
            return;
          }
          try {
            await this.completeSignIn(result);
          } catch (err) {
            this.failed(
              err instanceof ToolError
                ? err
                : new ToolError('sign_in_failed', `Sign-in failed: ${describeMsalError(err)}. Call sign_in to try again.`),
            );
          }
        },
        (err: unknown) => {
          if (!pending) {
            this.logger.warn?.(`Device-code sign-in could not start: ${describeMsalError(err)}`);
            reject(
              new ToolError(
                'sign_in_failed',
                `Sign-in could not start: ${describeMsalError(err)}. Check CLIENT_ID / TENANT_ID and that the app registration allows public client flows.`,
              ),
            );
            return;
          }
          if (this.device !== pending) return; // expired or signed out meanwhile
          this.endDevice(pending);
          this.logger.warn?.(`Device-code sign-in failed: ${describeMsalError(err)}`);
          this.failed(
            new ToolError(
              'sign_in_failed',
              `Sign-in failed: ${describeMsalError(err)}. Tell the user, and call sign_in again if they want to retry.`,
            ),
          );
        },
      );
    });
  }
}
