import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { RedisConnection } from '../cache/redis-connection';
import { REDIS_CONNECTION } from '../cache/redis.token';
import { AUTH_DEPS, AuthDeps } from './auth-deps';
import { createTokenProvider } from './create-token-provider';
import { ENTRA_TOKEN_VALIDATOR } from './obo';
import { EntraTokenValidator } from './obo/entra-token-validator';
import { OBO_DEPS, OboDeps } from './obo/obo-deps';
import { SignedInGuard } from './signed-in.guard';
import { TOKEN_PROVIDER, TokenProvider } from './token-provider';

/**
 * Sign-in for the whole app: provides TOKEN_PROVIDER (picked by AUTH mode) and SignedInGuard, and in
 * multi-user mode the ENTRA_TOKEN_VALIDATOR shared with the HTTP bearer check (null otherwise).
 * Tests may provide AUTH_DEPS (MSAL network client, clock, ...) and OBO_DEPS (a local token issuer) in a global module.
 */
@Global()
@Module({
  providers: [
    {
      provide: ENTRA_TOKEN_VALIDATOR,
      useFactory: (config: AppConfig, oboDeps?: OboDeps, deps?: AuthDeps) =>
        config.authMode === 'obo' ? new EntraTokenValidator(config, { logger: deps?.logger, ...oboDeps }) : null,
      inject: [APP_CONFIG, { token: OBO_DEPS, optional: true }, { token: AUTH_DEPS, optional: true }],
    },
    {
      provide: TOKEN_PROVIDER,
      useFactory: (config: AppConfig, deps?: AuthDeps, validator?: EntraTokenValidator | null, redis?: RedisConnection | null) =>
        createTokenProvider(config, deps ?? {}, { validator, redis }),
      inject: [APP_CONFIG, { token: AUTH_DEPS, optional: true }, ENTRA_TOKEN_VALIDATOR, { token: REDIS_CONNECTION, optional: true }],
    },
    SignedInGuard,
  ],
  exports: [TOKEN_PROVIDER, SignedInGuard, ENTRA_TOKEN_VALIDATOR],
})
export class AuthModule implements OnApplicationShutdown {
  constructor(@Inject(TOKEN_PROVIDER) private readonly tokens: TokenProvider) {}

  /** A pending sign-in's redirect listener must not outlive the app. */
  async onApplicationShutdown(): Promise<void> {
    await this.tokens.dispose?.();
  }
}
