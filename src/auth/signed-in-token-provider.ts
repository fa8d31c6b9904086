import type { LoggerService } from '@nestjs/common';
import type { AuthMode } from '../config/app-config';
import { ToolError } from '../common/tool-error';
import type { Clock } from './auth-deps';
import {
  CallerContext,
  NOT_SIGNED_IN_MESSAGE,
  REFRESH_MARGIN_MS,
  ResolvedToken,
  SignedInAccount,
  SignInResult,
  SignOutResult,
  TokenProvider,
} from './token-provider';

export function describeAccount(account: SignedInAccount): string {
  if (account.name && account.username) return `${account.name} (${account.username})`;
  return account.name ?? account.username ?? account.userKey;
}

export const isSignInRequired = (err: unknown): err is ToolError => err instanceof ToolError && err.kind === 'sign_in_required';

/**
 * What the single-user sign-in providers (MSAL and sandbox) share: the in-memory token with a 5-minute
 * refresh margin and single-flight refresh, a sign-in failure reported once by the next call,
 * sign-out bookkeeping and its listeners. Subclasses supply the identity-provider half.
 */
export abstract class SignedInTokenProvider implements TokenProvider {
  abstract readonly mode: AuthMode;
  private current?: ResolvedToken;
  private failure?: ToolError;
  private refreshing?: Promise<ResolvedToken>;
  /** Bumped by sign-out, so a refresh that was already running cannot sign the user back in. */
  private epoch = 0;
  private readonly listeners: Array<(account: SignedInAccount) => void> = [];

  protected constructor(
    protected readonly clock: Clock,
    protected readonly logger: LoggerService,
  ) {}

  /** A configuration error that makes sign-in impossible (e.g. CLIENT_ID missing). */
  protected abstract configurationProblem(): ToolError | undefined;
  /** A token without user interaction (cache, refresh token), or ToolError('sign_in_required'). */
  protected abstract acquireSilently(forceRefresh: boolean): Promise<ResolvedToken>;
  protected abstract pendingSignIn(): Extract<SignInResult, { status: 'pending' }> | undefined;
  /** What a data tool should tell the model while a sign-in is waiting for the user. */
  protected abstract waitingMessage(): string | undefined;
  protected abstract startSignIn(): Promise<SignInResult>;
  protected abstract cancelPending(): Promise<void>;
  /** Removes every stored account; returns them. */
  protected abstract removeAccounts(): Promise<SignedInAccount[]>;
  /** The stored account, without network calls. */
  protected abstract storedAccount(): Promise<SignedInAccount | undefined>;

  async getToken(_caller?: CallerContext, opts?: { forceRefresh?: boolean }): Promise<ResolvedToken> {
    this.throwFailure();
    const problem = this.configurationProblem();
    if (problem) throw problem;
    const current = this.current;
    if (current && !opts?.forceRefresh && this.fresh(current)) return current;
    try {
      return await this.refresh(!!opts?.forceRefresh);
    } catch (err) {
      // A network hiccup while refreshing early should not fail a request the current token can still serve.
      const stillValid = current?.expiresOn && current.expiresOn.getTime() > this.clock.now() && this.current === current;
      if (!isSignInRequired(err) && !opts?.forceRefresh && stillValid) return current;
      throw err;
    }
  }

  async currentAccount(): Promise<SignedInAccount | undefined> {
    if (this.current) return this.current.account;
    if (this.configurationProblem()) return undefined;
    return this.storedAccount();
  }

  async signIn(caller?: CallerContext): Promise<SignInResult> {
    this.throwFailure();
    const problem = this.configurationProblem();
    if (problem) throw problem;
    const pending = this.pendingSignIn();
    if (pending) return pending;
    try {
      const { account } = await this.getToken(caller);
      return {
        status: 'signed_in',
        account,
        message: `Already signed in to Dataverse as ${describeAccount(account)}. Nothing to do; to switch accounts call sign_out first, then sign_in.`,
      };
    } catch (err) {
      if (!isSignInRequired(err)) throw err;
    }
    return this.startSignIn();
  }

  async signOut(): Promise<SignOutResult> {
    this.epoch++;
    this.failure = undefined;
    await this.cancelPending();
    const removed = this.configurationProblem() ? [] : await this.removeAccounts();
    const current = this.current;
    this.current = undefined;
    const signedOut = [...removed];
    if (current && !signedOut.some((a) => a.userKey === current.account.userKey)) signedOut.push(current.account);
    this.notifySignedOut(signedOut);
    this.logger.log?.(`Signed out (${removed.length} account${removed.length === 1 ? '' : 's'} removed from the token cache).`);
    return { signedOut: true, removedAccounts: removed.length };
  }

  onSignedOut(listener: (account: SignedInAccount) => void): void {
    this.listeners.push(listener);
  }

  async dispose(): Promise<void> {
    await this.cancelPending();
  }

  /** Subclasses call this when a sign-in completed. */
  protected signedIn(token: ResolvedToken): void {
    this.current = token;
    this.failure = undefined;
    this.logger.log?.(`Signed in to Dataverse as ${describeAccount(token.account)}.`);
  }

  /** Subclasses call this when a sign-in failed: the next sign_in or data tool call reports it, once. */
  protected failed(err: ToolError): void {
    this.failure = err;
  }

  protected notSignedIn(): ToolError {
    return new ToolError('sign_in_required', this.waitingMessage() ?? NOT_SIGNED_IN_MESSAGE);
  }

  protected notifySignedOut(accounts: SignedInAccount[]): void {
    for (const account of accounts) {
      for (const listener of this.listeners) {
        try {
          listener(account);
        } catch (err) {
          this.logger.warn?.(`A sign-out listener failed: ${(err as Error).message}`);
        }
      }
    }
  }

  private fresh(token: ResolvedToken): boolean {
    return !token.expiresOn || token.expiresOn.getTime() - this.clock.now() > REFRESH_MARGIN_MS;
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      throw failure;
    }
  }

  private refresh(forceRefresh: boolean): Promise<ResolvedToken> {
    if (!this.refreshing) {
      const epoch = this.epoch;
      this.refreshing = this.acquireSilently(forceRefresh)
        .then((token) => {
          if (epoch !== this.epoch) throw this.notSignedIn();
          this.current = token;
          return token;
        })
        .catch((err: unknown) => {
          if (isSignInRequired(err) && epoch === this.epoch) this.current = undefined;
          throw err;
        })
        .finally(() => (this.refreshing = undefined));
    }
    return this.refreshing;
  }
}
