import type { AppConfig } from '../config/app-config';
import type { AuthDeps } from './auth-deps';
import { MsalTokenProvider } from './msal-token-provider';
import { SandboxTokenProvider } from './sandbox-token-provider';
import { StaticTokenProvider, UnavailableTokenProvider } from './static-token-provider';
import type { TokenProvider } from './token-provider';

/** Picks the token provider for `config.authMode`. Cheap: nothing heavy is loaded until the first sign-in or token. */
export function createTokenProvider(config: AppConfig, deps: AuthDeps = {}): TokenProvider {
  switch (config.authMode) {
    case 'static':
      return new StaticTokenProvider(config.dataverseAccessToken ?? '', deps.clock);
    case 'sandbox':
      return new SandboxTokenProvider(config, deps);
    case 'interactive':
    case 'device-code':
      return new MsalTokenProvider(config, deps);
    case 'obo':
      return new UnavailableTokenProvider(
        'obo',
        'Multi-user on-behalf-of mode (CLIENT_SECRET set) is not available in this version of the server. ' +
          'Tell the user to unset CLIENT_SECRET to use single-user sign-in (CLIENT_ID + sign_in), then restart the server.',
      );
  }
}
