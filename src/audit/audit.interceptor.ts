import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { Observable, tap } from 'rxjs';
import { callContext } from '../common/call-context';
import { ToolError } from '../common/tool-error';
import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';

export type AuditCategory = 'auth' | 'read' | 'create' | 'update' | 'destructive';

/** Marks a tool class or method with its audit category (DESIGN §1 "kind"). */
export const AUDIT_CATEGORY_KEY = 'dataverse-mcp:audit-category';

/**
 * One structured JSON audit event per tool call: tool, category, user, the names of the arguments
 * and the table — never record values, filters or tokens —, outcome and error kind, duration, and the
 * Dataverse request ids the call produced.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('audit');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = process.hrtime.bigint();
    const handler = context.getHandler();
    const tool = (Reflect.getMetadata(MCP_TOOL_METADATA_KEY, handler) as { name?: string } | undefined)?.name ?? handler.name;
    const category = this.reflector.getAllAndOverride<AuditCategory>(AUDIT_CATEGORY_KEY, [handler, context.getClass()]);
    const args = (context.getArgByIndex(0) ?? {}) as Record<string, unknown>;
    const argNames = Object.keys(args).sort();
    const table = typeof args.table === 'string' ? args.table.slice(0, 128) : undefined;

    const emit = (outcome: 'ok' | 'error', error?: unknown) => {
      const ctx = callContext.current();
      const event = {
        audit: true,
        tool,
        category,
        userId: ctx?.userKey,
        argNames,
        table,
        outcome,
        errorKind: outcome === 'error' ? (error instanceof ToolError ? error.kind : 'internal') : undefined,
        // What Dataverse said (bad_filter, throttled, ...), for failures that came from a Dataverse call.
        dataverseErrorKind: error instanceof ToolError ? (error.details?.dataverseKind as string | undefined) : undefined,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        dataverseRequestIds: ctx?.dataverseRequestIds.length ? [...ctx.dataverseRequestIds] : undefined,
        ...ctx?.auditExtras,
      };
      this.logger.info(event, `tool ${tool} ${outcome}`);
    };

    return next.handle().pipe(
      tap({
        next: (result) => emit((result as { isError?: boolean } | undefined)?.isError ? 'error' : 'ok'),
        error: (error) => emit('error', error),
      }),
    );
  }
}
