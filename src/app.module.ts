import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AuditInterceptor } from './audit/audit.interceptor';
import { InFlightCalls } from './common/in-flight-calls';
import { AuthModule } from './auth/auth.module';
import { CacheModule } from './cache/cache.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DataverseModule } from './dataverse/dataverse.module';
import { HealthController } from './http/health.controller';
import { ReadinessService } from './common/readiness.service';
import { PROPOSALS_REDIS_CLIENT } from './proposals/proposal.types';
import { ProposalsModule } from './proposals/proposals.module';
import { REDIS_CLIENT } from './cache/redis.token';
import { ToolPipelineService } from './tools/pipeline/tool-pipeline.service';
import { ToolsModule } from './tools/tools.module';

export interface AppModuleOptions {
  logger: PinoLogger;
  version: string;
  /** Extra Nest modules (your own tools: `McpModule.forFeature([MyTools], 'dataverse-mcp')`). */
  imports?: ModuleMetadata['imports'];
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions): DynamicModule {
    const http = config.transports.some((t) => t !== 'stdio');
    return {
      module: AppModule,
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            logger: options.logger,
            // Health probes are frequent and say nothing; SSE streams log when they end.
            autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
            serializers: {
              req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        DiscoveryModule,
        AuthModule,
        CacheModule,
        DataverseModule,
        ProposalsModule,
        ToolsModule.forRoot(config, options.version),
        ...(options.imports ?? []),
      ],
      controllers: http ? [HealthController] : [],
      providers: [
        ReadinessService,
        ToolPipelineService,
        AuditInterceptor,
        InFlightCalls,
        // Delete proposals share the cache's Redis connection (null without REDIS_URL: proposals then live in memory).
        { provide: PROPOSALS_REDIS_CLIENT, useExisting: REDIS_CLIENT },
      ],
      exports: [ReadinessService, AuditInterceptor, InFlightCalls, PROPOSALS_REDIS_CLIENT],
    };
  }
}
