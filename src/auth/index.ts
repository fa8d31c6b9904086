export * from './token-provider';
export { AUTH_DEPS, systemClock } from './auth-deps';
export type { AuthDeps, Clock } from './auth-deps';
export { AuthModule } from './auth.module';
export { createTokenProvider } from './create-token-provider';
export { SignedInGuard, SIGNED_IN_GUARD_TIMEOUT_MS } from './signed-in.guard';
export { tokenCacheFileName } from './file-token-cache';
