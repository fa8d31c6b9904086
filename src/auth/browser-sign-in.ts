import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { ToolError } from '../common/tool-error';
import type { Clock, TimerHandle } from './auth-deps';
import { CallbackPage, SignInCallbackServer } from './sign-in-callback.server';
import { PENDING_SIGN_IN_TTL_MS, SignedInAccount, SignInResult } from './token-provider';

/** The identity-provider specific half of the authorization code + PKCE flow. */
export interface CodeFlowAdapter {
  createPkce(): Promise<{ verifier: string; challenge: string }>;
  authUrl(p: { redirectUri: string; challenge: string; state: string; nonce: string }): Promise<string>;
  /** Redeems the code, keeps the token, and says who signed in. */
  exchange(p: { code: string; verifier: string; redirectUri: string; nonce: string }): Promise<SignedInAccount>;
  /** Turns an exchange failure into the message reported by the next tool call. */
  describeFailure(err: unknown): string;
}

export interface BrowserSignInOptions {
  host: string;
  port: number;
  /** Host name put into the redirect URI; Entra accepts any port for `http://localhost`. */
  redirectUriHost: string;
  clock: Clock;
  logger: LoggerService;
  adapter: CodeFlowAdapter;
  onSuccess(account: SignedInAccount): void;
  onFailure(err: ToolError): void;
  /** Extra sentence for the pending message (e.g. that the sandbox signs in without a password). */
  hint?: string;
}

interface Pending {
  url: string;
  expiresAt: number;
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  server: SignInCallbackServer;
  timer: TimerHandle;
  /** Set once a callback carried a matching state: later callbacks are turned away. */
  settled: boolean;
}

const randomToken = () => randomBytes(32).toString('base64url');

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * One pending browser sign-in at a time: the URL, its PKCE verifier and state, and the redirect listener,
 * which runs only while the sign-in is pending and closes after completion, failure or 10 minutes.
 */
export class BrowserSignIn {
  private pending?: Pending;
  private starting?: Promise<Pending>;

  constructor(private readonly options: BrowserSignInOptions) {}

  /** The pending sign-in, if one is still valid. */
  current(): Extract<SignInResult, { status: 'pending' }> | undefined {
    const pending = this.live();
    return pending && this.describe(pending);
  }

  /** Returns the pending sign-in, starting one if there is none (concurrent callers share it). */
  async start(): Promise<Extract<SignInResult, { status: 'pending' }>> {
    const live = this.live();
    if (live) return this.describe(live);
    this.starting ??= this.open().finally(() => (this.starting = undefined));
    return this.describe(await this.starting);
  }

  /** Abandons the pending sign-in (sign-out, shutdown) and closes its listener. */
  async cancel(): Promise<void> {
    const pending = this.pending;
    if (pending) await this.finish(pending);
  }

  /** Message for a data tool called while the user has not finished signing in yet. */
  waitingMessage(): string | undefined {
    const pending = this.live();
    if (!pending) return undefined;
    return (
      `A sign-in is waiting for the user: ask them to open ${pending.url} in their browser and sign in ` +
      `(valid until ${new Date(pending.expiresAt).toISOString()}), then retry this request.`
    );
  }

  private live(): Pending | undefined {
    const pending = this.pending;
    if (!pending) return undefined;
    if (pending.settled) return pending;
    if (this.options.clock.now() >= pending.expiresAt) {
      void this.finish(pending);
      return undefined;
    }
    return pending;
  }

  private describe(p: Pending): Extract<SignInResult, { status: 'pending'; flow: 'browser' }> {
    const expiresAt = new Date(p.expiresAt).toISOString();
    return {
      status: 'pending',
      flow: 'browser',
      url: p.url,
      expiresAt,
      message:
        `Sign-in started. Show this URL to the user and ask them to open it in their browser and sign in: ${p.url} ` +
        `— the link is valid until ${expiresAt} (10 minutes). ${this.options.hint ? `${this.options.hint} ` : ''}` +
        'When the browser says "Authentication complete", retry the request that needed sign-in.',
    };
  }

  private async open(): Promise<Pending> {
    const { adapter, clock, host, port, logger } = this.options;
    const server = new SignInCallbackServer(host, port, logger);
    const state = randomToken();
    const nonce = randomToken();
    const { verifier, challenge } = await adapter.createPkce();
    // Filled in once the URL exists; a request arriving before that gets a "not ready" page.
    const slot: { pending?: Pending } = {};
    const boundPort = await server.listen(async (params) =>
      slot.pending
        ? this.callback(slot.pending, params)
        : { status: 503, title: 'Not ready', message: 'The sign-in is still starting; reload this page in a moment.' },
    );
    const redirectUri = `http://${this.options.redirectUriHost}:${boundPort}`;
    let url: string;
    try {
      url = await adapter.authUrl({ redirectUri, challenge, state, nonce });
    } catch (err) {
      await server.close();
      throw err;
    }
    const expiresAt = clock.now() + PENDING_SIGN_IN_TTL_MS;
    const timer = clock.setTimeout(() => {
      const pending = slot.pending;
      if (pending && this.pending === pending && !pending.settled) {
        logger.log?.('The pending sign-in expired after 10 minutes; its redirect listener is closed.');
        void this.finish(pending);
      }
    }, PENDING_SIGN_IN_TTL_MS);
    const created: Pending = { url, expiresAt, state, nonce, verifier, redirectUri, server, timer, settled: false };
    slot.pending = created;
    this.pending = created;
    logger.log?.(`Sign-in pending; waiting for the redirect on ${host}:${boundPort}.`);
    return created;
  }

  private async finish(pending: Pending): Promise<void> {
    if (this.pending === pending) this.pending = undefined;
    this.options.clock.clearTimeout(pending.timer);
    await pending.server.close();
  }

  private async callback(pending: Pending, params: URLSearchParams): Promise<CallbackPage> {
    if (this.pending !== pending || pending.settled) {
      return {
        status: 400,
        title: 'No sign-in is waiting',
        message: 'This sign-in link is no longer valid. Go back to your assistant and ask it to sign in again.',
      };
    }
    const state = params.get('state') ?? '';
    if (!sameString(state, pending.state)) {
      this.options.logger.warn?.('Sign-in redirect ignored: its state does not match the pending sign-in.');
      return {
        status: 400,
        title: 'Sign-in link mismatch',
        message:
          'This response does not belong to the sign-in in progress, so it was ignored. Open the latest sign-in link from your assistant.',
      };
    }
    pending.settled = true;
    const error = params.get('error');
    if (error) {
      const description = (params.get('error_description') ?? '').slice(0, 500);
      this.options.logger.warn?.(`Sign-in was not completed: the identity provider answered ${error.slice(0, 100)}.`);
      this.options.onFailure(
        new ToolError(
          'sign_in_failed',
          `Sign-in failed: the identity provider answered "${error.slice(0, 100)}"${description ? `: ${description}` : ''}. ` +
            'Tell the user, and call sign_in again if they want to retry.',
          { error: error.slice(0, 100) },
        ),
      );
      void this.finish(pending);
      return {
        status: 200,
        title: 'Sign-in failed',
        message: `${error}${description ? `: ${description}` : ''}. You can close this tab and go back to your assistant.`,
      };
    }
    const code = params.get('code');
    if (!code) {
      pending.settled = false;
      return {
        status: 400,
        title: 'Sign-in response incomplete',
        message: 'The response carried no authorization code. Open the sign-in link from your assistant again.',
      };
    }
    try {
      const account = await this.options.adapter.exchange({
        code,
        verifier: pending.verifier,
        redirectUri: pending.redirectUri,
        nonce: pending.nonce,
      });
      this.options.onSuccess(account);
      void this.finish(pending);
      return {
        status: 200,
        title: 'Authentication complete',
        message: 'Authentication complete — you can close this tab and go back to your assistant.',
        close: true,
      };
    } catch (err) {
      const reason = this.options.adapter.describeFailure(err);
      this.options.onFailure(
        new ToolError('sign_in_failed', `Sign-in failed while redeeming the authorization code: ${reason}. Call sign_in to try again.`),
      );
      void this.finish(pending);
      return {
        status: 200,
        title: 'Sign-in failed',
        message: `${reason}. Go back to your assistant and ask it to sign in again.`,
        close: true,
      };
    }
  }
}
