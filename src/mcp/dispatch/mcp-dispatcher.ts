import { Injectable, Logger } from '@nestjs/common';
import { ContextIdFactory, ModuleRef, Reflector } from '@nestjs/core';
import type { McpOptions } from '@rekog/mcp-nest/dist/mcp';
import { McpRegistryDiscoveryService } from '@rekog/mcp-nest/dist/mcp/services/mcp-registry-discovery.service';
import { ToolAuthorizationService } from '@rekog/mcp-nest/dist/mcp/services/tool-authorization.service';
import { McpToolsHandler } from '@rekog/mcp-nest/dist/mcp/services/handlers/mcp-tools.handler';
import { buildMcpCapabilities } from '@rekog/mcp-nest/dist/mcp/utils/capabilities-builder';
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
  ListToolsRequestSchema,
  McpError,
  PingRequestSchema,
  SetLevelRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Request } from 'express';
import { argumentProblem } from '../../tools/pipeline/argument-limits';
import { CatalogTool, ToolCatalog } from './tool-catalog';
import { isPlainToolCall } from './json-rpc-shape';

/** A JSON-RPC answer to one request, keys in the order the SDK writes them. */
export type JsonRpcAnswer =
  | { result: unknown; jsonrpc: '2.0'; id: string | number }
  | { jsonrpc: '2.0'; id: string | number; error: { code: number; message: string; data?: unknown } };

interface Built {
  catalog: ToolCatalog;
  options: McpOptions;
  auth: ToolAuthorizationService;
  moduleHasGuards: boolean;
  /** The library's own tools handler, for `@ToolGuards` only. */
  library: McpToolsHandler;
  /** The initialize result, less the negotiated protocol version. */
  server: Record<string, unknown>;
}

/**
 * Where a request comes from: a Streamable HTTP request (its user, headers and token; the tool method's third
 * argument, as the library passes it) or a stdio session (progress and log notifications, elicitation).
 */
export interface Caller {
  req?: Request;
  session?: McpServer;
  /** What request-scoped providers resolve for: the HTTP request, or one object for the whole session. */
  scope: object;
}

type Method = (request: JSONRPCRequest, caller: Caller) => Promise<unknown>;

/** The stateless context a tool method gets over Streamable HTTP: no session, so no stream for progress or logs. */
const QUIET = async (): Promise<void> => undefined;
const NO_LOG = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/**
 * Answers MCP requests with one shared registry, one set of JSON Schemas and one provider instance per tool, built
 * once: no MCP server, transport or JSON-Schema validator per request, and no per-call handler of the library. It
 * serves stateless Streamable HTTP whole (src/http/streamable) and the tool calls and lists of a stdio session
 * (src/mcp/stdio). Methods and answers are the ones the SDK server answers (initialize, ping, logging/setLevel,
 * tools/list, tools/call; anything else is `Method not found`), with the same request checks and error codes. Tool
 * calls go through the tool methods the pipeline wrapped (guards, audit, argument limits, in-flight count); over HTTP
 * with the HTTP request as their third argument, as the library passes it: each call carries its own bearer token.
 */
@Injectable()
export class McpDispatcher {
  private readonly logger = new Logger('McpHttp');
  private state?: Built;
  private readonly methods: Record<string, Method> = {
    initialize: (request) => this.initialize(request),
    ping: async (request) => (parse(PingRequestSchema, request), {}),
    'logging/setLevel': async (request) => (parse(SetLevelRequestSchema, request), {}),
    'tools/list': (request, caller) => this.listTools(request, caller),
    'tools/call': (request, caller) => this.callTool(request, caller),
  };

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Answers one request; never throws (an unexpected failure is a JSON-RPC error, as the SDK sends it). */
  async answer(request: JSONRPCRequest, caller: Caller): Promise<JsonRpcAnswer> {
    const method = Object.prototype.hasOwnProperty.call(this.methods, request.method) ? this.methods[request.method] : undefined;
    if (!method || (request.method === 'logging/setLevel' && !this.built().options.capabilities?.logging)) {
      return { jsonrpc: '2.0', id: request.id, error: { code: ErrorCode.MethodNotFound, message: 'Method not found' } };
    }
    try {
      return { result: await method(request, caller), jsonrpc: '2.0', id: request.id };
    } catch (error) {
      const e = error as { code?: unknown; message?: string; data?: unknown };
      return {
        jsonrpc: '2.0',
        id: request.id,
        error: {
          code: Number.isSafeInteger(e.code) ? (e.code as number) : ErrorCode.InternalError,
          message: e.message ?? 'Internal error',
          ...(e.data !== undefined && { data: e.data }),
        },
      };
    }
  }

  /** tools/list or tools/call as an SDK request handler: the result, or the error the SDK answers with. */
  handle(request: JSONRPCRequest, caller: Caller): Promise<unknown> {
    return request.method === 'tools/list' ? this.listTools(request, caller) : this.callTool(request, caller);
  }

  /** The names of tools with `@ToolGuards`: hidden without an HTTP request, as the library hides them over stdio. */
  guardedTools(): string[] {
    return this.built()
      .catalog.tools.filter((t) => t.tool.metadata.guards?.length)
      .map((t) => t.name);
  }

  /** Built on first use: discovery has run by then (it runs when the application boots). */
  private built(): Built {
    if (this.state) return this.state;
    const registry = this.moduleRef.get(McpRegistryDiscoveryService, { strict: false });
    const auth = this.moduleRef.get(ToolAuthorizationService, { strict: false });
    const options = this.moduleRef.get<string, McpOptions>('MCP_OPTIONS', { strict: false });
    const moduleId = this.moduleRef.get<string, string>('MCP_MODULE_ID', { strict: false });
    const reflector = this.moduleRef.get(Reflector, { strict: false });
    this.state = {
      catalog: new ToolCatalog(registry, moduleId, options, auth, this.moduleRef),
      options,
      auth,
      moduleHasGuards: (options.guards?.length ?? 0) > 0,
      library: new McpToolsHandler(this.moduleRef, registry, reflector, moduleId, options, auth),
      server: {
        capabilities: buildMcpCapabilities(moduleId, registry, options),
        serverInfo: { name: options.name, version: options.version, ...(options.title && { title: options.title }) },
        ...(options.instructions && { instructions: options.instructions }),
      },
    };
    return this.state;
  }

  private async initialize(request: JSONRPCRequest): Promise<unknown> {
    const { params } = parse(InitializeRequestSchema, request);
    const requested = params.protocolVersion;
    const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    return { protocolVersion, ...this.built().server };
  }

  private async listTools(request: JSONRPCRequest, caller: Caller): Promise<unknown> {
    parse(ListToolsRequestSchema, request);
    const { catalog, options, auth } = this.built();
    const tools: unknown[] = [];
    const user = (caller.req as { user?: never } | undefined)?.user;
    const allowUnauthenticated = options.allowUnauthenticatedAccess ?? false;
    for (const entry of catalog.tools) {
      const listed =
        !entry.perCaller ||
        (auth.canAccessTool(user, entry.tool, this.moduleGuards(caller), allowUnauthenticated) && (await this.guardsAllow(entry, caller)));
      if (listed) tools.push(entry.listed);
    }
    return { tools };
  }

  /** Module guards guard HTTP requests; the library leaves them out of a stdio session's checks, and so does this. */
  private moduleGuards(caller: Caller): boolean {
    return caller.req ? this.built().moduleHasGuards : false;
  }

  private async guardsAllow(entry: CatalogTool, caller: Caller, args?: unknown): Promise<boolean> {
    if (!entry.tool.metadata.guards?.length) return true;
    // Without an HTTP request there is nothing for a guard to read: the library hides the tool, and so does this.
    if (!caller.req) return false;
    const { library } = this.built();
    // `@ToolGuards` run exactly as the library runs them, with its guard context.
    const guarded = library as unknown as { checkToolGuards(tool: unknown, request: unknown, args?: unknown): Promise<boolean> };
    return guarded.checkToolGuards(entry.tool, adapted(caller.req), args);
  }

  private async callTool(request: JSONRPCRequest, caller: Caller): Promise<unknown> {
    const call = isPlainToolCall(request) ? request : parse(CallToolRequestSchema, request);
    const { catalog, options, auth } = this.built();
    const name = call.params.name;
    const entry = catalog.find(name);
    if (!entry) throw new McpError(ErrorCode.MethodNotFound, `Unknown tool: ${name}`);
    if (entry.perCaller) {
      const user = (caller.req as { user?: never } | undefined)?.user;
      auth.validateToolAccess(user, entry.tool, this.moduleGuards(caller), options.allowUnauthenticatedAccess ?? false);
      if (!(await this.guardsAllow(entry, caller, call.params.arguments))) {
        throw new McpError(ErrorCode.InvalidRequest, `Access denied: insufficient permissions for tool '${name}'`);
      }
    }
    let args: unknown = call.params.arguments;
    // A plain call of a simple schema is checked without zod (the same result); anything else, and every refusal,
    // goes through the schema's parse with its argument limits in front, as before.
    const fast = entry.fastParameters && !argumentProblem(args || {}) ? entry.fastParameters(args || {}) : undefined;
    if (fast) args = fast;
    else if (entry.parameters) {
      const validation = entry.parameters.safeParse(args || {});
      if (!validation.success) {
        const issues = (validation.error?.issues ?? [])
          .map((issue) => `${issue.path.length > 0 ? `[${issue.path.join('.')}]: ` : ''}${issue.message}`)
          .join('; ');
        this.logger.warn(`Tool "${name}" validation failed: ${issues}`);
        return { content: [{ type: 'text', text: `Invalid parameters: ${issues}` }], isError: true };
      }
      args = validation.data;
    }
    const context = caller.session
      ? sessionContext(caller.session, call)
      : { reportProgress: QUIET, log: NO_LOG, mcpServer: undefined, mcpRequest: call };
    try {
      const instance = entry.instance ?? (await this.requestScoped(entry, caller.scope));
      const result = await instance[entry.tool.methodName].call(instance, args, context, caller.req);
      return formatResult(result, entry);
    } catch (error) {
      if (error instanceof McpError) throw error;
      this.logger.error(error);
      return { content: [{ type: 'text', text: (error as Error).message }], isError: true };
    }
  }

  private async requestScoped(entry: CatalogTool, scope: object): Promise<NonNullable<CatalogTool['instance']>> {
    const contextId = ContextIdFactory.getByRequest(scope);
    this.moduleRef.registerRequestByContextId(scope, contextId);
    const instance = await this.moduleRef.resolve(entry.tool.providerClass as never, contextId, { strict: false });
    if (!instance) throw new McpError(ErrorCode.MethodNotFound, `Unknown tool: ${entry.name}`);
    return instance as NonNullable<CatalogTool['instance']>;
  }
}

/**
 * The context of a call in a session, as the library builds it for a session: progress goes out when the client asked
 * for it (a progress token), log messages as MCP notifications; `mcpServer` lets a tool ask the user (elicitation).
 */
function sessionContext(server: McpServer, call: { params: { _meta?: { progressToken?: unknown } } }) {
  const progressToken = call.params._meta?.progressToken as string | number | undefined;
  return {
    reportProgress:
      progressToken === undefined
        ? QUIET
        : (progress: { progress: number; total?: number; message?: string }) =>
            server.server.notification({ method: 'notifications/progress', params: { ...progress, progressToken } }),
    log: sessionLog(server),
    mcpServer: server,
    mcpRequest: call,
  };
}

const sessionLogs = new WeakMap<McpServer, Record<'debug' | 'info' | 'warn' | 'error', (message: string, context?: unknown) => void>>();

/** A session's log functions (MCP notifications), made once per session rather than per call. */
function sessionLog(server: McpServer) {
  let log = sessionLogs.get(server);
  if (!log) {
    const at = (level: LogLevel) => (message: string, context?: unknown) =>
      void server.server.sendLoggingMessage({ level, data: { message, context } }).catch(() => undefined);
    log = { debug: at('debug'), info: at('info'), warn: at('warning'), error: at('error') };
    sessionLogs.set(server, log);
  }
  return log;
}

/** Parses a request with the SDK's schema; a mismatch is thrown as the SDK throws it (answered as -32603). */
function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } }, request: unknown): T {
  const result = schema.safeParse(request);
  if (!result.success) throw result.error;
  return result.data;
}

/** A tool's return value as a CallToolResult, the way the library turns it into one. */
function formatResult(result: unknown, entry: CatalogTool): unknown {
  if (result && typeof result === 'object' && Array.isArray((result as { content?: unknown }).content)) return result;
  const content = [{ type: 'text', text: JSON.stringify(result) }];
  if (!entry.outputSchema) return { content };
  const validation = entry.outputSchema.safeParse(result);
  if (!validation.success) {
    throw new McpError(ErrorCode.InternalError, `Tool result does not match outputSchema: ${validation.error?.message}`);
  }
  return { structuredContent: validation.data, content };
}

/** The request as the library's guard context reads it. */
function adapted(req: Request): { raw: Request; body: unknown; params: unknown; headers: unknown; url: string; method: string } {
  return { raw: req, body: req.body, params: req.params, headers: req.headers, url: req.url, method: req.method };
}
