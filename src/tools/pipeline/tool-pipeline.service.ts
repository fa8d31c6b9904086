import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger, OnModuleInit, Type } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig, DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ExternalContextCreator } from '@nestjs/core/helpers/external-context-creator';
import { isObservable, lastValueFrom } from 'rxjs';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { callContext, CallContext } from '../../common/call-context';
import { InFlightCalls } from '../../common/in-flight-calls';
import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';
import { ZodError } from 'zod';
import { ToolError } from '../../common/tool-error';
import { toolErrorResult } from './tool-result';
import { argumentProblem } from './argument-limits';

interface ToolMeta {
  name: string;
  parameters?: { safeParse: (data: unknown, params?: unknown) => unknown };
  annotations?: { readOnlyHint?: boolean; openWorldHint?: boolean };
}

const LIMITED = Symbol('argument limits checked');

/**
 * @rekog/mcp-nest calls tool methods directly, so Nest guards and interceptors declared on tool classes
 * would never run. Before discovery (onApplicationBootstrap), this wraps every `@Tool` method of every
 * provider with Nest's ExternalContextCreator — the same mechanism GraphQL and microservices use — so
 * `@UseGuards(SignedInGuard)` and `@UseInterceptors(AuditInterceptor)` on tool classes apply for real.
 * The wrapper also opens the per-call context and turns every error into an `isError` result whose
 * text tells the model what to do (DESIGN §7), never a protocol error.
 */
@Injectable()
export class ToolPipelineService implements OnModuleInit {
  private readonly logger = new Logger('ToolPipeline');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly externalContextCreator: ExternalContextCreator,
    private readonly inFlight: InFlightCalls,
    private readonly moduleRef: ModuleRef,
    private readonly appConfig: ApplicationConfig,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      for (const methodName of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const original = instance[methodName] as ((...args: unknown[]) => unknown) | undefined;
        if (typeof original !== 'function') continue;
        const meta = Reflect.getMetadata(MCP_TOOL_METADATA_KEY, original) as ToolMeta | undefined;
        if (!meta || Object.prototype.hasOwnProperty.call(instance, methodName)) continue;
        limitArguments(meta);
        instance[methodName] = this.wrap(instance, original, methodName, meta.name ?? methodName, changesDataverse(meta));
      }
    }
  }

  private wrap(instance: object, original: (...args: unknown[]) => unknown, methodName: string, toolName: string, writes: boolean) {
    // No Nest exception filters: their handler logs every error at error level, and a tool error's text can
    // quote the user's input (a filter). Errors are turned into isError results below instead.
    const withEnhancers =
      this.plainEnhancers(instance, original) ??
      this.externalContextCreator.create(instance, original, methodName, undefined, undefined, undefined, undefined, {
        guards: true,
        interceptors: true,
        filters: false,
      });
    const logger = this.logger;
    const inFlight = this.inFlight;
    const wrapped = async function (this: unknown, ...args: unknown[]): Promise<CallToolResult> {
      if (inFlight.draining) return toolErrorResult('The server is shutting down; retry this call in a moment.');
      const problem = argumentProblem(args[0]);
      if (problem) return toolErrorResult(problem);
      const end = inFlight.begin();
      const request = args[2] as { headers?: Record<string, string | string[] | undefined> } | undefined;
      const auth = request?.headers?.authorization;
      const ctx: CallContext = {
        tool: toolName,
        bearer: typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined,
        dataverseRequestIds: [],
        auditExtras: {},
        mcpServer: (args[1] as { mcpServer?: McpServer } | undefined)?.mcpServer,
      };
      try {
        return (await callContext.run(ctx, () => withEnhancers(...args))) as CallToolResult;
      } catch (error) {
        if (error instanceof ToolError) return toolErrorResult(error.message);
        logger.error({ tool: toolName, err: error }, 'tool failed unexpectedly');
        const what = `${toolName} failed with an unexpected error: ${error instanceof Error ? error.message : String(error)}.`;
        // A write tool cannot tell whether Dataverse applied the change before the error: never invite a blind retry.
        return toolErrorResult(
          writes
            ? `${what} The outcome is unknown: Dataverse may have applied it. Check with list_records or get_record before retrying; if it keeps failing, check the server log.`
            : `${what} Try again; if it keeps failing, check the server log.`,
        );
      } finally {
        end();
      }
    };
    // Discovery reads the @Tool metadata from the method it finds on the instance.
    for (const key of Reflect.getOwnMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: methodName });
    return wrapped;
  }

  /**
   * The same guards-then-interceptors order as ExternalContextCreator, as plain async calls (no rxjs per call),
   * when it can be: no global enhancers, class guards resolvable from the container, and interceptors that have
   * a plain `around`. Anything else keeps Nest's own chain.
   */
  private plainEnhancers(
    instance: object,
    original: (...args: unknown[]) => unknown,
  ): ((...args: unknown[]) => Promise<unknown>) | undefined {
    if (this.appConfig.getGlobalGuards().length || this.appConfig.getGlobalInterceptors().length) return undefined;
    if (this.appConfig.getGlobalRequestGuards().length || this.appConfig.getGlobalRequestInterceptors().length) return undefined;
    const cls = instance.constructor as Type<unknown>;
    const declared = (key: string) => [
      ...((Reflect.getMetadata(key, cls) as unknown[] | undefined) ?? []),
      ...((Reflect.getMetadata(key, original) as unknown[] | undefined) ?? []),
    ];
    const resolve = <T>(enhancer: unknown): T | undefined => {
      if (typeof enhancer !== 'function') return enhancer as T;
      try {
        return this.moduleRef.get(enhancer as Type<T>, { strict: false });
      } catch {
        return undefined;
      }
    };
    const guards = declared(GUARDS_METADATA).map((g) => resolve<CanActivate>(g));
    const interceptors = declared(INTERCEPTORS_METADATA).map((i) => resolve<Partial<PlainInterceptor>>(i));
    if (guards.some((g) => typeof g?.canActivate !== 'function')) return undefined;
    if (interceptors.some((i) => typeof i?.around !== 'function')) return undefined;
    const plain = interceptors as PlainInterceptor[];
    return async (...args: unknown[]) => {
      const context = new ExecutionContextHost(args, cls, original) as ExecutionContext;
      for (const guard of guards as CanActivate[]) {
        const verdict = guard.canActivate(context);
        const allowed = isObservable(verdict) ? await lastValueFrom(verdict) : await verdict;
        if (!allowed) throw new ForbiddenException('Forbidden resource');
      }
      return aroundFrom(0, plain, context, () => original.apply(instance, args));
    };
  }
}

/** An interceptor with a plain async form, which the pipeline calls instead of its rxjs `intercept`. */
export interface PlainInterceptor {
  around<T>(context: ExecutionContext, next: () => Promise<T>): Promise<T>;
}

/** Tools that may change Dataverse (not read-only, and talking to it): their unexpected failures have an unknown outcome. */
function changesDataverse(meta: ToolMeta): boolean {
  return meta.annotations?.readOnlyHint === false && meta.annotations?.openWorldHint !== false;
}

/**
 * The library parses a tool's arguments with its schema before the tool method (and so this pipeline) runs.
 * The argument limits go in front of that parse, so oversized input costs no schema work either; the library
 * answers a failed parse with `Invalid parameters: <message>` as an isError result.
 */
function limitArguments(meta: ToolMeta): void {
  const schema = meta.parameters as (ToolMeta['parameters'] & { [LIMITED]?: true }) | undefined;
  if (!schema || schema[LIMITED]) return;
  const parse = schema.safeParse.bind(schema);
  schema.safeParse = (data: unknown, params?: unknown) => {
    const problem = argumentProblem(data);
    if (problem) return { success: false, error: new ZodError([{ code: 'custom', path: [], message: problem, input: undefined }]) };
    return parse(data, params);
  };
  schema[LIMITED] = true;
}

/** Interceptor `i` and those after it around the method (a plain function, not a closure made per call). */
function aroundFrom(i: number, plain: PlainInterceptor[], context: ExecutionContext, method: () => unknown): Promise<unknown> {
  return i < plain.length ? plain[i].around(context, () => aroundFrom(i + 1, plain, context, method)) : Promise.resolve(method());
}
