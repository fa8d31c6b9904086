import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AUTH_DEPS, AuthDeps } from './auth-deps';
import { createTokenProvider } from './create-token-provider';
import { SignedInGuard } from './signed-in.guard';
import { TOKEN_PROVIDER, TokenProvider } from './token-provider';

/**
 * Sign-in for the whole app: provides TOKEN_PROVIDER (picked by AUTH mode) and SignedInGuard.
 * Tests may provide AUTH_DEPS (MSAL network client, clock, ...) in a global module.
 */
@Global()
@Module({
  providers: [
    {
      provide: TOKEN_PROVIDER,
      useFactory: (config: AppConfig, deps?: AuthDeps) => createTokenProvider(config, deps ?? {}),
      inject: [APP_CONFIG, { token: AUTH_DEPS, optional: true }],
    },
    SignedInGuard,
  ],
  exports: [TOKEN_PROVIDER, SignedInGuard],
})
export class AuthModule implements OnApplicationShutdown {
  constructor(@Inject(TOKEN_PROVIDER) private readonly tokens: TokenProvider) {}

  /** A pending sign-in's redirect listener must not outlive the app. */
  async onApplicationShutdown(): Promise<void> {
    await this.tokens.dispose?.();
  }
}
