import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AppConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { TOKEN_PROVIDER, TokenProvider, ResolvedToken, SignedInAccount } from '../../auth/token-provider';
import { CacheModule } from '../../cache/cache.module';
import { CACHE_SERVICE_OPTIONS } from '../../cache/cache.service';
import { callContext, CallContext } from '../../common/call-context';
import { startEmulator } from '../../sandbox';
import type { EmulatorHandle } from '../../sandbox';
import { DATAVERSE_CLIENT_OPTIONS, DataverseClientOptions } from '../client/dataverse.client';
import { DataverseModule } from '../dataverse.module';

/** A token provider over the emulator's token registry; tests can revoke the current token to provoke a 401. */
export class EmulatorTokenProvider implements TokenProvider {
  readonly mode = 'static' as const;
  token: string;
  readonly calls: Array<{ forceRefresh?: boolean }> = [];
  /** When false, a forced refresh hands out the same (revoked) token again. */
  refreshWorks = true;
  private listeners: Array<(a: SignedInAccount) => void> = [];

  constructor(private readonly emulator: EmulatorHandle) {
    this.token = emulator.issueToken();
  }

  get account(): SignedInAccount {
    return { userKey: this.emulator.sandboxUserId, name: 'Sandbox User' };
  }

  async getToken(_caller?: unknown, opts: { forceRefresh?: boolean } = {}): Promise<ResolvedToken> {
    this.calls.push(opts);
    if (opts.forceRefresh && this.refreshWorks) this.token = this.emulator.issueToken();
    return { token: this.token, account: this.account };
  }
  async currentAccount() {
    return this.account;
  }
  async signIn() {
    return { status: 'not_needed' as const, message: 'static' };
  }
  async signOut() {
    this.listeners.forEach((l) => l(this.account));
    return { signedOut: true as const, removedAccounts: 1 };
  }
  onSignedOut(listener: (a: SignedInAccount) => void) {
    this.listeners.push(listener);
  }
  revoke(): void {
    this.emulator.revokeToken(this.token);
  }
}

export interface ReadPathFixture {
  emulator: EmulatorHandle;
  app: INestApplicationContext;
  tokens: EmulatorTokenProvider;
  config: AppConfig;
  get<T>(type: new (...args: never[]) => T): T;
  /** Runs `fn` inside a tool-call context (as the pipeline does) and returns it with the result. */
  inCall<T>(fn: () => Promise<T>): Promise<{ result: T; ctx: CallContext }>;
  close(): Promise<void>;
}

export const FAST_CLIENT_OPTIONS: Partial<DataverseClientOptions> = { backoffBaseMs: 5, backoffMaxMs: 20, timeoutMs: 5000 };

/** Emulator + ConfigModule + CacheModule + DataverseModule, wired like the app (without MCP). */
export async function startReadPath(
  options: { redisUrl?: string; client?: Partial<DataverseClientOptions>; emulator?: EmulatorHandle } = {},
): Promise<ReadPathFixture> {
  const emulator = options.emulator ?? (await startEmulator({ controlApi: false }));
  const tokens = new EmulatorTokenProvider(emulator);
  const config = {
    dataverseUrl: emulator.url,
    dataverseApiUrl: emulator.apiUrl,
    redisUrl: options.redisUrl,
    cacheTtl: { identitySeconds: 86400, tablesSeconds: 86400, schemaSeconds: 3600 },
    cursorTtlSeconds: 900,
    readOnly: false,
  } as AppConfig;

  @Global()
  @Module({
    providers: [
      { provide: TOKEN_PROVIDER, useValue: tokens },
      { provide: DATAVERSE_CLIENT_OPTIONS, useValue: { ...FAST_CLIENT_OPTIONS, ...options.client } },
      { provide: CACHE_SERVICE_OPTIONS, useValue: { opTimeoutMs: 300 } },
    ],
    exports: [TOKEN_PROVIDER, DATAVERSE_CLIENT_OPTIONS, CACHE_SERVICE_OPTIONS],
  })
  class TestDepsModule {}

  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), TestDepsModule, CacheModule, DataverseModule],
  }).compile();
  const app = await moduleRef.init();
  return {
    emulator,
    app,
    tokens,
    config,
    get: (type) => app.get(type),
    inCall: async (fn) => {
      const ctx: CallContext = { tool: 'test', dataverseRequestIds: [], auditExtras: {} };
      const result = await callContext.run(ctx, fn);
      return { result, ctx };
    },
    close: async () => {
      await app.close();
      if (!options.emulator) await emulator.close();
    },
  };
}
