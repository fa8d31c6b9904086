import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { callContext } from '../common/call-context';
import { ToolError } from '../common/tool-error';
import { AUTH_DEPS, AuthDeps } from './auth-deps';
import { CallerContext, TOKEN_PROVIDER, TokenProvider } from './token-provider';

/** The guard never waits longer than this for a token (a refresh talks to the identity provider). */
export const SIGNED_IN_GUARD_TIMEOUT_MS = 20_000;

type RequestLike = { headers?: Record<string, string | string[] | undefined> } | undefined;

function bearerOf(request: RequestLike): string | undefined {
  const auth = request?.headers?.authorization;
  return typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
}

/**
 * Lets a Dataverse tool run only when a usable token can be resolved. Otherwise it throws the
 * ToolError('sign_in_required') whose text tells the model to call sign_in (the tool pipeline turns it
 * into an isError result). Never returns false and never hangs.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  private readonly timeoutMs: number;

  constructor(
    @Inject(TOKEN_PROVIDER) private readonly tokens: TokenProvider,
    @Optional() @Inject(AUTH_DEPS) deps?: AuthDeps,
  ) {
    this.timeoutMs = deps?.guardTimeoutMs ?? SIGNED_IN_GUARD_TIMEOUT_MS;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // getArgs(): [toolArgs, mcpContext, httpRequest | undefined]
    const request = context.getArgs()[2] as RequestLike;
    const call = callContext.current();
    const caller: CallerContext = { bearer: call?.bearer ?? bearerOf(request) };
    let account;
    try {
      // A configured token is at hand at once (it needs no identity provider): no timer to race it against.
      const pending = this.tokens.getToken(caller);
      ({ account } = await (this.tokens.mode === 'static' ? pending : withTimeout(pending, this.timeoutMs)));
    } catch (err) {
      if (err instanceof ToolError) throw err;
      throw new ToolError(
        'unavailable',
        `Could not get a Dataverse token (${(err as Error)?.name ?? 'error'}). Retry in a moment; if it keeps failing, call sign_in.`,
      );
    }
    if (call) {
      call.userKey = account.userKey;
      call.account = account;
    }
    return true;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ToolError(
            'unavailable',
            `Getting a Dataverse token took longer than ${Math.round(ms / 1000)} s (the identity provider may be slow or unreachable). ` +
              'Retry in a moment; if it keeps happening, call sign_in.',
          ),
        ),
      ms,
    );
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
