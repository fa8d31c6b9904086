import type { ExecutionContext } from '@nestjs/common';
import { callContext, CallContext } from '../common/call-context';
import { ToolError } from '../common/tool-error';
import { SignedInGuard } from './signed-in.guard';
import { NOT_SIGNED_IN_MESSAGE, ResolvedToken, TokenProvider } from './token-provider';

function provider(getToken: TokenProvider['getToken']): TokenProvider {
  return {
    mode: 'interactive',
    getToken,
    currentAccount: async () => undefined,
    signIn: async () => ({ status: 'not_needed', message: '' }),
    signOut: async () => ({ signedOut: true, removedAccounts: 0 }),
    onSignedOut: () => undefined,
  };
}

const context = (request?: unknown) => ({ getArgs: () => [{}, {}, request] }) as unknown as ExecutionContext;
const token: ResolvedToken = { token: 'AT', account: { userKey: 'user-1' } };

describe('SignedInGuard', () => {
  it('should allow the tool and record the user on the call context when a token resolves', async () => {
    const guard = new SignedInGuard(provider(async () => token));
    const call: CallContext = { tool: 'list_records', dataverseRequestIds: [], auditExtras: {} };

    const allowed = await callContext.run(call, () => guard.canActivate(context()));

    expect(allowed).toBe(true);
    expect(call.userKey).toBe('user-1');
  });

  it('should throw the sign_in_required error telling the model to call sign_in when nobody is signed in', async () => {
    const guard = new SignedInGuard(provider(async () => Promise.reject(new ToolError('sign_in_required', NOT_SIGNED_IN_MESSAGE))));

    const error = await guard.canActivate(context()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ kind: 'sign_in_required' });
    expect((error as ToolError).message).toContain('sign_in');
  });

  it('should give up with a ToolError instead of hanging when the provider never answers', async () => {
    const guard = new SignedInGuard(
      provider(() => new Promise<ResolvedToken>(() => undefined)),
      { guardTimeoutMs: 30 },
    );

    await expect(guard.canActivate(context())).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('should turn an unexpected provider failure into a ToolError when getToken throws a plain error', async () => {
    const guard = new SignedInGuard(provider(async () => Promise.reject(new TypeError('boom'))));

    await expect(guard.canActivate(context())).rejects.toBeInstanceOf(ToolError);
  });

  it('should pass the incoming bearer token to the provider when the HTTP request carries one', async () => {
    const seen: Array<string | undefined> = [];
    const guard = new SignedInGuard(provider(async (caller) => (seen.push(caller?.bearer), token)));

    await guard.canActivate(context({ headers: { authorization: 'Bearer incoming-user-token' } }));

    expect(seen).toEqual(['incoming-user-token']);
  });
});
