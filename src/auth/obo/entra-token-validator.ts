import { verify } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { nestLogger } from '../auth-logger';
import { JwksKeySet, SigningKeysUnavailableError } from './jwks';
import { ENTRA_AUTHORITY_HOST, ENTRA_V1_ISSUER_HOST, OBO_REQUIRED_SCOPE, OboDeps } from './obo-deps';

/** Tolerated difference between our clock and Entra's for `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 60;
/** Entra tokens are a few kB; anything far larger is not one of them. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MULTI_TENANT = new Set(['common', 'organizations']);

/** The caller, as the validated token says. `userKey` (oid, or sub without one) keys caches, proposals, audit. */
export interface EntraUser {
  userKey: string;
  oid?: string;
  tid: string;
  username?: string;
  name?: string;
  scopes: string[];
  /** `exp`, in ms since the epoch. */
  expiresAt: number;
}

/** A token we refuse; `code` is the RFC 6750 error code for `WWW-Authenticate`. */
export class TokenRejectedError extends Error {
  constructor(
    readonly code: 'invalid_token' | 'insufficient_scope',
    readonly description: string,
  ) {
    super(description);
    this.name = 'TokenRejectedError';
  }
}

export { SigningKeysUnavailableError };

type Claims = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

function decodePart(part: string, what: string): Claims {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Claims;
  } catch {
    // reported below
  }
  throw new TokenRejectedError('invalid_token', `The token's ${what} is not valid JSON.`);
}

/**
 * Validates the bearer tokens clients send in multi-user mode: an RS256 JWT from the configured tenant
 * (signature against the tenant's JWKS, issuer in its v2.0 or v1 form), for this server's app registration
 * (`aud` = `api://<CLIENT_ID>` or `<CLIENT_ID>`), within its lifetime, carrying the delegated scope
 * {@link OBO_REQUIRED_SCOPE}. App-only tokens (no `scp`) are refused: every call acts for a person.
 */
export class EntraTokenValidator {
  private readonly keys: JwksKeySet;
  private readonly now: () => number;
  private readonly audiences: Set<string>;
  private pinnedTenant?: Promise<string | undefined>;

  constructor(
    private readonly config: Pick<AppConfig, 'clientId' | 'tenantId'>,
    private readonly deps: OboDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    const logger: LoggerService = deps.logger ?? nestLogger;
    const clientId = config.clientId ?? '';
    this.audiences = new Set([clientId, `api://${clientId}`].filter((a) => a && a !== 'api://'));
    this.keys = new JwksKeySet(
      async () => deps.jwksUrl ?? `${ENTRA_AUTHORITY_HOST}/${encodeURIComponent(await this.keysTenant())}/discovery/v2.0/keys`,
      {
        fetch: deps.fetch ?? fetch,
        now: this.now,
        logger,
      },
    );
  }

  /** The scope clients must request, e.g. `api://<CLIENT_ID>/access_as_user`. */
  get requiredScope(): string {
    return `api://${this.config.clientId}/${OBO_REQUIRED_SCOPE}`;
  }

  /**
   * The validated caller. Throws {@link TokenRejectedError} for a token that must not be accepted, and
   * {@link SigningKeysUnavailableError} when the signing keys cannot be loaded (not the caller's fault).
   */
  async validate(token: string): Promise<EntraUser> {
    if (typeof token !== 'string' || token.length === 0) throw new TokenRejectedError('invalid_token', 'No token was given.');
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError('invalid_token', 'The token is too long to be an access token.');
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
      throw new TokenRejectedError('invalid_token', 'The token is not a signed JWT.');
    }
    const header = decodePart(parts[0], 'header');
    const claims = decodePart(parts[1], 'payload');
    if (header.alg !== 'RS256')
      throw new TokenRejectedError('invalid_token', `The token's signing algorithm ${String(header.alg)} is not accepted (RS256 only).`);
    const kid = str(header.kid);
    if (!kid) throw new TokenRejectedError('invalid_token', 'The token names no signing key (kid).');
    // Cheap claim checks first: a token for another app or tenant never costs a JWKS fetch.
    const user = await this.checkClaims(claims);
    const key = await this.keys.key(kid);
    if (!key) throw new TokenRejectedError('invalid_token', 'The token is signed with a key the tenant does not publish.');
    const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
    if (!signed) throw new TokenRejectedError('invalid_token', 'The token signature is not valid.');
    return user;
  }

  private async checkClaims(claims: Claims): Promise<EntraUser> {
    const nowSeconds = this.now() / 1000;
    const exp = claims.exp;
    if (typeof exp !== 'number') throw new TokenRejectedError('invalid_token', 'The token has no expiry (exp).');
    if (nowSeconds > exp + CLOCK_SKEW_SECONDS) throw new TokenRejectedError('invalid_token', 'The token has expired.');
    if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf - CLOCK_SKEW_SECONDS) {
      throw new TokenRejectedError('invalid_token', 'The token is not valid yet (nbf).');
    }
    const aud = claims.aud;
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((a) => typeof a === 'string' && this.audiences.has(a))) {
      throw new TokenRejectedError('invalid_token', 'The token was issued for another audience, not this server.');
    }
    const tid = str(claims.tid);
    const iss = str(claims.iss);
    if (!tid || !GUID.test(tid)) throw new TokenRejectedError('invalid_token', 'The token names no tenant (tid).');
    if (iss !== `${ENTRA_AUTHORITY_HOST}/${tid}/v2.0` && iss !== `${ENTRA_V1_ISSUER_HOST}/${tid}/`) {
      throw new TokenRejectedError('invalid_token', 'The token was not issued by Microsoft Entra ID for its tenant.');
    }
    const pinned = await this.tenantPin();
    if (pinned && pinned !== tid.toLowerCase()) throw new TokenRejectedError('invalid_token', 'The token was issued by another tenant.');
    const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
    if (!scopes.includes(OBO_REQUIRED_SCOPE)) {
      throw new TokenRejectedError(
        'insufficient_scope',
        scopes.length
          ? `The token lacks the ${OBO_REQUIRED_SCOPE} scope.`
          : `The token carries no delegated scopes (app-only tokens are not accepted); it needs ${OBO_REQUIRED_SCOPE}.`,
      );
    }
    const oid = str(claims.oid);
    const userKey = (oid ?? str(claims.sub))?.toLowerCase();
    if (!userKey) throw new TokenRejectedError('invalid_token', 'The token names no user (oid or sub).');
    return {
      userKey,
      oid,
      tid: tid.toLowerCase(),
      username: str(claims.preferred_username) ?? str(claims.upn) ?? str(claims.unique_name),
      name: str(claims.name),
      scopes,
      expiresAt: exp * 1000,
    };
  }

  /** The tenant id tokens must come from: TENANT_ID itself when it is a GUID, learnt once when it is a domain, none for common/organizations. */
  private tenantPin(): Promise<string | undefined> {
    const tenant = this.config.tenantId.trim().toLowerCase();
    if (GUID.test(tenant)) return Promise.resolve(tenant);
    if (MULTI_TENANT.has(tenant)) return Promise.resolve(undefined);
    this.pinnedTenant ??= this.discoverTenantId(tenant).catch((err: unknown) => {
      this.pinnedTenant = undefined;
      throw err;
    });
    return this.pinnedTenant;
  }

  private async keysTenant(): Promise<string> {
    return (await this.tenantPin()) ?? this.config.tenantId;
  }

  private async discoverTenantId(domain: string): Promise<string> {
    const url =
      this.deps.openIdConfigurationUrl ?? `${ENTRA_AUTHORITY_HOST}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
    try {
      const res = await (this.deps.fetch ?? fetch)(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const issuer = str(((await res.json()) as Claims).issuer) ?? '';
      const tid = /\/([0-9a-f-]{36})\/v2\.0\/?$/i.exec(issuer)?.[1];
      if (!tid) throw new Error('no tenant id in its issuer');
      return tid.toLowerCase();
    } catch (err) {
      throw new SigningKeysUnavailableError(
        `The tenant id of TENANT_ID=${domain} cannot be looked up (${err instanceof Error ? err.message : String(err)}); set TENANT_ID to the directory (tenant) id.`,
      );
    }
  }
}
