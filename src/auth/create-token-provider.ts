import type { AppConfig } from '../config/app-config';
import type { AuthDeps } from './auth-deps';
import { MsalTokenProvider } from './msal-token-provider';
import { SandboxTokenProvider } from './sandbox-token-provider';
import type { RedisConnection } from '../cache/redis-connection';
import { EntraTokenValidator } from './obo/entra-token-validator';
import type { OboDeps } from './obo/obo-deps';
import { MemoryStringStore, RedisStringStore } from '../cache/string-store';
import { OboTokenProvider } from './obo/obo-token-provider';
import { StaticTokenProvider } from './static-token-provider';
import type { TokenProvider } from './token-provider';

/** What multi-user mode needs besides the configuration: the shared token validator and Redis connection. */
export interface OboCollaborators {
  validator?: EntraTokenValidator | null;
  redis?: RedisConnection | null;
  deps?: OboDeps;
}

/** Picks the token provider for `config.authMode`. Cheap: nothing heavy is loaded until the first sign-in or token. */
export function createTokenProvider(config: AppConfig, deps: AuthDeps = {}, obo: OboCollaborators = {}): TokenProvider {
  switch (config.authMode) {
    case 'static':
      return new StaticTokenProvider(config.dataverseAccessToken ?? '', deps.clock);
    case 'sandbox':
      return new SandboxTokenProvider(config, deps);
    case 'interactive':
    case 'device-code':
      return new MsalTokenProvider(config, deps);
    case 'obo':
      return new OboTokenProvider(
        config,
        obo.validator ?? new EntraTokenValidator(config, obo.deps),
        obo.redis ? new RedisStringStore(obo.redis) : new MemoryStringStore(),
        deps,
      );
  }
}
