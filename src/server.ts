import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { AppModule, AppModuleOptions } from './app.module';
import type { AppConfig } from './config/app-config';
import { isLoopbackHost } from './config';
import { createOriginGuard } from './http/origin.middleware';
import { ENTRA_TOKEN_VALIDATOR } from './auth/obo';
import type { EntraTokenValidator } from './auth/obo/entra-token-validator';
import { authenticatedUser, createBearerAuth, SessionBindings } from './http/bearer-auth.middleware';
import { createJsonBody } from './http/edge/json-body.middleware';
import { MAX_SSE_SESSIONS, MAX_SSE_SESSIONS_PER_USER } from './http/edge/limits';
import { createSseSessionLimit } from './http/edge/sse-session-limit.middleware';
import { createProtectedResourceHandler, protectedResourceMetadataUrl } from './http/protected-resource';
import { NestPinoLogger } from './logging/nest-logger';
import { InFlightCalls } from './common/in-flight-calls';
import { McpDispatcher } from './mcp/dispatch/mcp-dispatcher';
import { mountStreamableHttp } from './http/streamable/streamable-http.endpoint';

/** How long shutdown waits for running tool calls before closing anyway (the whole shutdown has 5 s). */
const DRAIN_MS = 3000;

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
  options: Omit<AppModuleOptions, 'logger' | 'version'> & { sandboxViewer?: RequestHandler } = {},
): Promise<RunningServer> {
  const { sandboxViewer, ...moduleOptions } = options;
  const module = AppModule.forRoot(config, { ...moduleOptions, logger, version: packageVersion() });
  // In the sandbox the start-up banner is what a person reads first: Nest's bootstrap lines go to debug.
  const nestLogger = new NestPinoLogger(logger.child({ context: 'nest' }), { quietBootstrap: config.sandbox });
  const http = config.transports.some((t) => t !== 'stdio');

  if (!http) {
    const app = await NestFactory.createApplicationContext(module, { logger: nestLogger, abortOnError: false });
    await app.init();
    const inFlight = app.get(InFlightCalls);
    return {
      app,
      close: async () => {
        inFlight.startDraining();
        await inFlight.whenIdle(DRAIN_MS);
        await app.close();
      },
    };
  }

  // Express and Nest's adapter for it serve the HTTP transports only, so stdio start-up does not load them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const express = require('express') as typeof import('express');
  const { ExpressAdapter } = require('@nestjs/platform-express') as typeof import('@nestjs/platform-express');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Routes match exactly as registered (`/MCP` and `/mcp/` are not `/mcp`); the router reads these settings once.
  const instance = express().set('case sensitive routing', true).set('strict routing', true);
  // Bodies are parsed by the edge's own parser, after the auth check and within its limits (see below).
  const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(instance), {
    logger: nestLogger,
    abortOnError: false,
    bodyParser: false,
  });
  const inFlight = app.get(InFlightCalls);
  // Once shutdown starts, new requests are turned away (clients retry elsewhere) while running calls finish.
  app.use((req: { url?: string }, res: import('express').Response, next: () => void) => {
    if (!inFlight.draining || req.url === '/healthz') return next();
    res.setHeader('Connection', 'close');
    res.status(503).json({ jsonrpc: '2.0', error: { code: -32000, message: 'The server is shutting down; retry in a moment.' }, id: null });
  });
  app.use(createOriginGuard({ allowedOrigins: config.allowedOrigins, loopbackOnly: isLoopbackHost(config.mcpHost) }));
  // The sandbox record viewer: read-only pages behind the same Origin/Host checks (never in multi-user mode).
  if (sandboxViewer) app.use('/sandbox', sandboxViewer);
  const multiUser = config.authMode === 'obo';
  if (multiUser) {
    // Multi-user: health probes and RFC 9728 metadata are public; every other request needs a valid Entra token.
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
  app.use(
    createSseSessionLimit({
      total: MAX_SSE_SESSIONS,
      perUser: MAX_SSE_SESSIONS_PER_USER,
      userOf: (req) => (multiUser ? (authenticatedUser(req)?.userKey ?? '') : undefined),
    }),
  );
  app.use(createJsonBody());
  // Registered before Nest adds its controllers (at listen), behind every check above.
  if (config.transports.includes('http')) mountStreamableHttp(instance, '/mcp', app.get(McpDispatcher));
  await app.listen(config.mcpPort, config.mcpHost);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.mcpPort;
  const host = config.mcpHost.includes(':') ? `[${config.mcpHost}]` : config.mcpHost;
  return {
    app,
    httpUrl: `http://${host}:${port}`,
    close: async () => {
      // Stop accepting, let running tool calls finish (new requests get 503), then end what is left:
      // SSE streams never end on their own.
      inFlight.startDraining();
      server.close();
      server.closeIdleConnections();
      await inFlight.whenIdle(DRAIN_MS);
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), 500);
      cut.unref();
      await app.close();
      clearTimeout(cut);
      server.closeAllConnections();
    },
  };
}
