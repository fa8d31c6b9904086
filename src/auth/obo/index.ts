export { OBO_DEPS, OBO_REQUIRED_SCOPE, ENTRA_AUTHORITY_HOST } from './obo-deps';
export type { OboDeps } from './obo-deps';
export { EntraTokenValidator, TokenRejectedError, SigningKeysUnavailableError, CLOCK_SKEW_SECONDS } from './entra-token-validator';
export type { EntraUser } from './entra-token-validator';
export { OboTokenProvider } from './obo-token-provider';
export { PartitionedCachePlugin } from './obo-token-cache';
export type { OboCacheStore } from './obo-token-cache';

/** Injection token of the shared {@link EntraTokenValidator} (null outside multi-user mode); the HTTP bearer check uses it. */
export const ENTRA_TOKEN_VALIDATOR = Symbol('ENTRA_TOKEN_VALIDATOR');
