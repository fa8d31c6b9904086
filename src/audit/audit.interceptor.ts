import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import type { Logger as Pino } from 'pino';
import { Observable, tap } from 'rxjs';
import { callContext } from '../common/call-context';
import { ToolError } from '../common/tool-error';
import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';

export type AuditCategory = 'auth' | 'read' | 'create' | 'update' | 'destructive';

/** Marks a tool class or method with its audit category (DESIGN §1 "kind"). */
export const AUDIT_CATEGORY_KEY = 'dataverse-mcp:audit-category';

type Outcome = 'ok' | 'error';

/**
 * One structured JSON audit event per tool call: tool, category, user, the names of the arguments
 * and the table — never record values, filters or tokens —, outcome and error kind, duration, and the
 * Dataverse request ids the call produced.
 *
 * `around` is the plain async form the tool pipeline calls (no rxjs per call); `intercept` is the same for Nest.
 * Every fixed field of the event is a name, a kind, a number, an id or an outcome — none can hold a secret — so
 * outside a request scope an event without tool-set extras goes to a child of the root logger without the redaction
 * pass (same level, same destination, same `context: "audit"`).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly unredacted = new WeakMap<Pino, Pino>();
  private readonly described = new WeakMap<object, WeakMap<object, { tool: string; category: AuditCategory | undefined }>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('audit');
  }

  async around<T>(context: ExecutionContext, next: () => Promise<T>): Promise<T> {
    const emit = this.begin(context);
    let result: T;
    try {
      result = await next();
    } catch (error) {
      emit('error', error);
      throw error;
    }
    emit((result as { isError?: boolean } | undefined)?.isError ? 'error' : 'ok');
    return result;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const emit = this.begin(context);
    return next.handle().pipe(
      tap({
        next: (result) => emit((result as { isError?: boolean } | undefined)?.isError ? 'error' : 'ok'),
        error: (error) => emit('error', error),
      }),
    );
  }

  private begin(context: ExecutionContext): (outcome: Outcome, error?: unknown) => void {
    const started = process.hrtime.bigint();
    const { tool, category } = this.describe(context);
    const args = (context.getArgByIndex(0) ?? {}) as Record<string, unknown>;
    const argNames = Object.keys(args).sort();
    const table = typeof args.table === 'string' ? args.table.slice(0, 128) : undefined;

    return (outcome, error) => {
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
      // Extras are set by tools (free-form keys): those events keep the redaction pass.
      const redact = !!ctx && Object.keys(ctx.auditExtras).length > 0;
      const message = `tool ${tool} ${outcome}`;
      // Written in this call's request scope, if any: its logger (and its bindings) stays this call's.
      writeAfterAnswer(inScope(storage.getStore(), () => this.log(event, message, redact)));
    };
  }

  /** The tool's name and audit category: decorator metadata, read once per class and handler. */
  private describe(context: ExecutionContext): { tool: string; category: AuditCategory | undefined } {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byHandler = this.described.get(cls);
    if (!byHandler) this.described.set(cls, (byHandler = new WeakMap()));
    let known = byHandler.get(handler);
    if (!known) {
      known = {
        tool: (Reflect.getMetadata(MCP_TOOL_METADATA_KEY, handler) as { name?: string } | undefined)?.name ?? handler.name,
        category: this.reflector.getAllAndOverride<AuditCategory>(AUDIT_CATEGORY_KEY, [handler, cls]),
      };
      byHandler.set(handler, known);
    }
    return known;
  }

  private log(event: Record<string, unknown>, message: string, redact: boolean): void {
    // In a request scope (HTTP) the request's logger carries its bindings: logged through it, as any other line.
    if (redact || storage.getStore()) return this.logger.info(event, message);
    const current = this.logger.logger;
    let audit = this.unredacted.get(current);
    if (!audit) {
      audit = current.child({ context: 'audit' }, { redact: [] });
      this.unredacted.set(current, audit);
    }
    audit.info(event, message);
  }
}

/** Audit lines whose call has finished, to be written once its answer has gone out. */
let pending: Array<() => void> = [];

/**
 * The event is complete when the call ends (outcome, duration, request ids); writing it is the one synchronous
 * write to stderr of the call, so it waits until the answer has been written, as an access log line does: the next
 * turn of the event loop (the request context goes with it). Lines still waiting when the process exits (even after
 * an uncaught exception) are written then, synchronously.
 */
/** `write` to run in a request scope, when there is one. */
function inScope(scope: ReturnType<typeof storage.getStore>, write: () => void): () => void {
  return scope ? () => storage.run(scope, write) : write;
}

function writeAfterAnswer(write: () => void): void {
  pending.push(write);
  if (pending.length > 1) return;
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', flushAuditLines);
  }
  setImmediate(flushAuditLines);
}
let exitHooked = false;

/** Writes the audit lines still waiting (tests call it before reading the log). */
export function flushAuditLines(): void {
  const lines = pending;
  pending = [];
  for (const write of lines) write();
}
