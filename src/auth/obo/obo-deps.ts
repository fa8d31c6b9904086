import type { LoggerService } from '@nestjs/common';

/**
 * The delegated scope this server's app registration exposes ("Expose an API" → `access_as_user`).
 * Clients request `api://<CLIENT_ID>/access_as_user`; a token whose `scp` lacks it is refused.
 */
export const OBO_REQUIRED_SCOPE = 'access_as_user';

/** Where Microsoft Entra ID publishes keys and metadata, and the issuers it puts into tokens. */
export const ENTRA_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const ENTRA_V1_ISSUER_HOST = 'https://sts.windows.net';

/**
 * Optional collaborators of multi-user (on-behalf-of) mode, for tests: a local token issuer on loopback
 * instead of login.microsoftonline.com. Production passes nothing. (MSAL's network client for the
 * on-behalf-of exchange itself comes from AUTH_DEPS, like the other MSAL flows.)
 */
export interface OboDeps {
  /** The JWKS document to verify token signatures with (default `<authority>/<tenant>/discovery/v2.0/keys`). */
  jwksUrl?: string;
  /** The OpenID configuration used to learn the tenant id when TENANT_ID is a domain name. */
  openIdConfigurationUrl?: string;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
  logger?: LoggerService;
}

/** Optional Nest provider token: `{ provide: OBO_DEPS, useValue: { jwksUrl } }` in a global test module. */
export const OBO_DEPS = Symbol('OBO_DEPS');
