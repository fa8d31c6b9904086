import type { AuthMode } from '../config/app-config';

/** Who is signed in. `userKey` keys caches, proposals and audit events per user. */
export interface SignedInAccount {
  /**
   * Stable per-user id: the Entra object id (oid) for MSAL, the systemuserid for the sandbox,
   * `static-` + the first 16 hex characters of sha256(token) for a static token.
   */
  userKey: string;
  username?: string;
  name?: string;
}

export interface ResolvedToken {
  token: string;
  expiresOn?: Date;
  account: SignedInAccount;
}

export type SignInResult =
  | { status: 'signed_in'; account: SignedInAccount; message: string }
  | { status: 'pending'; flow: 'browser'; url: string; expiresAt: string; message: string }
  | { status: 'pending'; flow: 'device-code'; verificationUri: string; userCode: string; expiresAt: string; message: string }
  // Static-token mode: there is nothing to sign in to.
  | { status: 'not_needed'; message: string };

/** Seam for the later multi-user on-behalf-of mode (the incoming user token); single-user providers ignore it. */
export interface CallerContext {
  bearer?: string;
}

export interface SignOutResult {
  signedOut: true;
  removedAccounts: number;
}

export interface TokenProvider {
  readonly mode: AuthMode;
  /**
   * A usable Dataverse access token, called on every Dataverse request (cheap when the in-memory token is fresh).
   * Throws `ToolError('sign_in_required')` telling the model to call `sign_in` when there is none.
   */
  getToken(caller?: CallerContext, opts?: { forceRefresh?: boolean }): Promise<ResolvedToken>;
  currentAccount(caller?: CallerContext): Promise<SignedInAccount | undefined>;
  signIn(caller?: CallerContext): Promise<SignInResult>;
  signOut(caller?: CallerContext): Promise<SignOutResult>;
  /** The cache module subscribes to clear cached identity. */
  onSignedOut(listener: (account: SignedInAccount) => void): void;
  /** Closes a pending sign-in listener and stops device-code polling (application shutdown). */
  dispose?(): Promise<void>;
}

export const TOKEN_PROVIDER = Symbol('TOKEN_PROVIDER');

/** A pending sign-in lasts this long; then its listener closes and the next `sign_in` starts afresh. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60 * 1000;
/** Tokens this close to expiry are refreshed before use. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export const NOT_SIGNED_IN_MESSAGE =
  'Not signed in to Dataverse. Call the sign_in tool, show the returned URL to the user and ask them to open it ' +
  'and sign in, then retry this request.';
export const SIGN_IN_EXPIRED_MESSAGE =
  'Your sign-in has expired; call sign_in, show the returned URL to the user and ask them to sign in again, then retry this request.';
