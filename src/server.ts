import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger as PinoLogger } from 'pino';
import { AppModule, AppModuleOptions } from './app.module';
import type { AppConfig } from './config/app-config';
import { isLoopbackHost } from './config';
import { createOriginGuard } from './http/origin.middleware';
import { ENTRA_TOKEN_VALIDATOR } from './auth/obo';
import type { EntraTokenValidator } from './auth/obo/entra-token-validator';
import { createBearerAuth, SessionBindings } from './http/bearer-auth.middleware';
import { createProtectedResourceHandler, protectedResourceMetadataUrl } from './http/protected-resource';
import { NestPinoLogger } from './logging/nest-logger';

export interface RunningServer {
  app: INestApplication | INestApplicationContext;
  /** The HTTP listener's address when an HTTP transport runs. */
  httpUrl?: string;
  close(): Promise<void>;
}

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Builds and starts the Nest application for the configured transports. Embedders can pass
 * extra modules (their own tools) in `options.imports`.
 */
export async function startServer(
  config: AppConfig,
  logger: PinoLogger,
  options: Omit<AppModuleOptions, 'logger' | 'version'> = {},
): Promise<RunningServer> {
  const module = AppModule.forRoot(config, { ...options, logger, version: packageVersion() });
  const nestLogger = new NestPinoLogger(logger.child({ context: 'nest' }));
  const http = config.transports.some((t) => t !== 'stdio');

  if (!http) {
    const app = await NestFactory.createApplicationContext(module, { logger: nestLogger, abortOnError: false });
    await app.init();
    return { app, close: () => app.close() };
  }

  const app = await NestFactory.create(module, { logger: nestLogger, abortOnError: false, bodyParser: true });
  app.use(
    createOriginGuard({ allowedOrigins: config.allowedOrigins, loopbackOnly: isLoopbackHost(config.mcpHost) }),
  );
  if (config.authMode === 'obo') {
    // Multi-user: RFC 9728 metadata is public; every MCP route needs a valid Entra token (health probes do not).
    app.use(createProtectedResourceHandler(config));
    app.use(
      createBearerAuth({
        validator: app.get<EntraTokenValidator>(ENTRA_TOKEN_VALIDATOR),
        metadataUrl: protectedResourceMetadataUrl(config),
        bindings: new SessionBindings(),
        logger: nestLogger,
      }),
    );
  }
  await app.listen(config.mcpPort, config.mcpHost);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.mcpPort;
  const host = config.mcpHost.includes(':') ? `[${config.mcpHost}]` : config.mcpHost;
  return {
    app,
    httpUrl: `http://${host}:${port}`,
    close: async () => {
      // SSE streams never end on their own: stop accepting, end idle keep-alives, then cut what is left.
      server.close();
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), 1000);
      cut.unref();
      await app.close();
      clearTimeout(cut);
      server.closeAllConnections();
    },
  };
}
