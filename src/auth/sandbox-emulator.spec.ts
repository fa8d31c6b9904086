import { startEmulator } from '../sandbox';
import type { EmulatorHandle } from '../sandbox';
import { SandboxTokenProvider } from './sandbox-token-provider';
import { testConfig, visit } from './testing/fake-identity-provider';

/** The sandbox sign-in against the real embedded emulator (its stand-in identity provider and WhoAmI). */
describe('SandboxTokenProvider with the embedded emulator', () => {
  let emulator: EmulatorHandle;
  let provider: SandboxTokenProvider;

  beforeAll(async () => {
    emulator = await startEmulator();
  });

  afterAll(() => emulator.close());

  beforeEach(() => {
    const config = testConfig({ authMode: 'sandbox', sandbox: true, clientId: undefined });
    provider = new SandboxTokenProvider(config);
    // main.ts sets these once the emulator listens, after the provider exists.
    config.dataverseUrl = emulator.url;
    config.dataverseApiUrl = emulator.apiUrl;
  });

  afterEach(() => provider.dispose());

  it('should sign in as the sandbox user and get a token the Web API accepts when the browser follows the sign-in URL', async () => {
    const result = await provider.signIn();
    if (result.status !== 'pending' || result.flow !== 'browser') throw new Error(`expected a browser sign-in, got ${result.status}`);
    const authorize = await fetch(result.url, { redirect: 'manual' });

    const page = await visit(authorize.headers.get('location') ?? '');

    expect(page.text).toContain('Authentication complete');
    const { token, account } = await provider.getToken();
    expect(account.userKey).toBe(emulator.sandboxUserId.toLowerCase());
    expect(account.name).toBeTruthy();
    const whoAmI = await fetch(`${emulator.apiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    expect(whoAmI.status).toBe(200);
    await expect(provider.getToken(undefined, { forceRefresh: true })).resolves.toMatchObject({ account: { userKey: account.userKey } });
  });
});
