/*
 * Test-only launcher of one server replica in multi-user mode (run with `node -r ts-node/register/transpile-only`).
 * It starts the built server (dist/server.js) like dist/main.js does, plus a global module with the seams a
 * test needs, so the product has no test switches: OBO_DEPS points token validation at the test's local
 * JWKS, and AUTH_DEPS gives MSAL a network client that plays Entra's on-behalf-of token endpoint, handing
 * out emulator tokens acting as the user's systemuser.
 *
 * TEST_SEAMS (JSON): { jwksUrl, emulatorUrl, clientId, clientSecret, users: { [oid]: systemuserid } }.
 */
import { Global, Module } from '@nestjs/common';
import { join } from 'node:path';
import { FakeEntraObo } from '../../src/auth/obo/testing/fake-entra-obo';

const dist = join(__dirname, '..', '..', 'dist');
/* eslint-disable @typescript-eslint/no-require-imports */
// The tokens must be the built server's own Symbols, so they come from dist, not from src.
const { startServer } = require(join(dist, 'server.js')) as typeof import('../../src/server');
const { loadConfig } = require(join(dist, 'config', 'index.js')) as typeof import('../../src/config');
const { createRootLogger } = require(join(dist, 'logging', 'logger.js')) as typeof import('../../src/logging/logger');
const { AUTH_DEPS } = require(join(dist, 'auth', 'auth-deps.js')) as typeof import('../../src/auth/auth-deps');
const { OBO_DEPS } = require(join(dist, 'auth', 'obo', 'obo-deps.js')) as typeof import('../../src/auth/obo/obo-deps');
/* eslint-enable @typescript-eslint/no-require-imports */

interface Seams {
  jwksUrl: string;
  emulatorUrl: string;
  clientId: string;
  clientSecret: string;
  users: Record<string, string>;
}

async function main(): Promise<void> {
  const seams = JSON.parse(process.env.TEST_SEAMS ?? '{}') as Seams;
  const entra = new FakeEntraObo({
    clientId: seams.clientId,
    clientSecret: seams.clientSecret,
    tokenFor: async (oid) => {
      try {
        const res = await fetch(`${seams.emulatorUrl}/_emulator/tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: seams.users[oid] ?? '00000000-0000-0000-0000-000000000000' }),
        });
        if (!res.ok) throw new Error(`emulator answered ${res.status}`);
        return ((await res.json()) as { token: string }).token;
      } catch (err) {
        process.stderr.write(`fake-entra: could not issue an emulator token: ${err instanceof Error ? err.message : String(err)}\n`);
        throw err;
      }
    },
    // The test counts exchanges from stderr; the assertion itself is never printed.
    onExchange: (post) =>
      process.stderr.write(
        `fake-entra: ${post.form.get('requested_token_use')} exchange assertion=${post.form.get('assertion') ? 'present' : 'missing'} oid=${oidOf(post.form.get('assertion'))}\n`,
      ),
  });

  @Global()
  @Module({
    providers: [
      { provide: AUTH_DEPS, useValue: { networkClient: entra } },
      { provide: OBO_DEPS, useValue: { jwksUrl: seams.jwksUrl } },
    ],
    exports: [AUTH_DEPS, OBO_DEPS],
  })
  class TestSeamsModule {}

  const config = loadConfig(process.env);
  const logger = createRootLogger(config.logLevel);
  const server = await startServer(config, logger, { imports: [TestSeamsModule] });
  logger.info({ http: server.httpUrl, authMode: config.authMode }, 'replica ready');
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function oidOf(assertion: string | null): string {
  try {
    return String((JSON.parse(Buffer.from((assertion ?? '').split('.')[1], 'base64url').toString('utf8')) as { oid?: string }).oid);
  } catch {
    return 'none';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`replica-launcher: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
