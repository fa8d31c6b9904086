import { createHash } from 'node:crypto';
import { ToolError } from '../common/tool-error';
import { Clock, systemClock } from './auth-deps';
import { ResolvedToken, SignedInAccount, SignInResult, SignOutResult, TokenProvider } from './token-provider';

/** Best-effort read of a JWT's claims; Dataverse tokens are JWTs, but a static token need not be. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** `DATAVERSE_ACCESS_TOKEN` used as-is (automation, tests): nothing to sign in to or out of. */
export class StaticTokenProvider implements TokenProvider {
  readonly mode = 'static' as const;
  private readonly resolved: ResolvedToken;

  constructor(
    token: string,
    private readonly clock: Clock = systemClock,
  ) {
    const claims = jwtClaims(token);
    const exp = typeof claims?.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    const account: SignedInAccount = {
      userKey: `static-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`,
      username: str(claims?.upn) ?? str(claims?.preferred_username) ?? str(claims?.unique_name),
      name: str(claims?.name),
    };
    this.resolved = { token, expiresOn: exp, account };
  }

  async getToken(): Promise<ResolvedToken> {
    const expiresOn = this.resolved.expiresOn;
    if (expiresOn && expiresOn.getTime() <= this.clock.now()) {
      throw new ToolError(
        'configuration',
        `The configured DATAVERSE_ACCESS_TOKEN expired at ${expiresOn.toISOString()}. Tell the user to set a fresh token and restart the server ` +
          '(or unset it and use CLIENT_ID to sign in interactively).',
      );
    }
    return this.resolved;
  }

  async currentAccount(): Promise<SignedInAccount | undefined> {
    return this.resolved.account;
  }

  async signIn(): Promise<SignInResult> {
    return {
      status: 'not_needed',
      message:
        'No sign-in needed: the server uses the access token configured in DATAVERSE_ACCESS_TOKEN. Go ahead with the Dataverse tools.',
    };
  }

  async signOut(): Promise<SignOutResult> {
    // The configured token cannot be forgotten; there is no account in any token cache.
    return { signedOut: true, removedAccounts: 0 };
  }

  onSignedOut(): void {
    // Static tokens never sign out.
  }
}
