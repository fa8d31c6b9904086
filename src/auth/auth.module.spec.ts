import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuthModule } from './auth.module';
import { SignedInGuard } from './signed-in.guard';
import { TOKEN_PROVIDER, TokenProvider } from './token-provider';
import { testConfig } from './testing/fake-identity-provider';

function configModule(config: AppConfig) {
  @Global()
  @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
  class TestConfigModule {}
  return TestConfigModule;
}

describe('AuthModule', () => {
  it('should provide the token provider for the configured mode and the guard when the app starts', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [configModule(testConfig({ clientId: undefined })), AuthModule],
    }).compile();

    const tokens = moduleRef.get<TokenProvider>(TOKEN_PROVIDER);

    expect(tokens.mode).toBe('interactive');
    expect(moduleRef.get(SignedInGuard)).toBeInstanceOf(SignedInGuard);
    await expect(tokens.signIn()).rejects.toMatchObject({ kind: 'configuration' });
    await moduleRef.close();
  });

  it('should not load @azure/msal-node when the provider is created', async () => {
    let loaded = false;
    jest.isolateModules(() => {
      jest.doMock('@azure/msal-node', () => {
        loaded = true;
        return {};
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createTokenProvider } = require('./create-token-provider') as typeof import('./create-token-provider');
      createTokenProvider(testConfig());
    });

    expect(loaded).toBe(false);
  });
});
