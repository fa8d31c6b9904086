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
import type { Request } from 'express';
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

type Method = (request: JSONRPCRequest, req: Request) => Promise<unknown>;

/** The stateless context a tool method gets over Streamable HTTP: no session, so no stream for progress or logs. */
const QUIET = async (): Promise<void> => undefined;
const NO_LOG = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Answers the MCP requests of stateless Streamable HTTP with one shared registry, one set of JSON Schemas and one
 * provider instance per tool, built once: no MCP server, transport or JSON-Schema validator per request. Methods and
 * answers are the ones the SDK server answers (initialize, ping, logging/setLevel, tools/list, tools/call; anything
 * else is `Method not found`), with the same request checks and error codes. Tool calls go through the tool methods
 * the pipeline wrapped (guards, audit, argument limits, in-flight count), with the HTTP request as their third
 * argument, as the library passes it: each call carries its own bearer token.
 */
@Injectable()
export class McpDispatcher {
  private readonly logger = new Logger('McpHttp');
  private state?: Built;
  private readonly methods: Record<string, Method> = {
    initialize: (request) => this.initialize(request),
    ping: async (request) => (parse(PingRequestSchema, request), {}),
    'logging/setLevel': async (request) => (parse(SetLevelRequestSchema, request), {}),
    'tools/list': (request, req) => this.listTools(request, req),
    'tools/call': (request, req) => this.callTool(request, req),
  };

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Answers one request; never throws (an unexpected failure is a JSON-RPC error, as the SDK sends it). */
  async answer(request: JSONRPCRequest, req: Request): Promise<JsonRpcAnswer> {
    const method = Object.prototype.hasOwnProperty.call(this.methods, request.method) ? this.methods[request.method] : undefined;
    if (!method || (request.method === 'logging/setLevel' && !this.built().options.capabilities?.logging)) {
      return { jsonrpc: '2.0', id: request.id, error: { code: ErrorCode.MethodNotFound, message: 'Method not found' } };
    }
    try {
      return { result: await method(request, req), jsonrpc: '2.0', id: request.id };
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

  private async listTools(request: JSONRPCRequest, req: Request): Promise<unknown> {
    parse(ListToolsRequestSchema, request);
    const { catalog } = this.built();
    const tools: unknown[] = [];
    const { options, auth, moduleHasGuards } = this.built();
    const user = (req as { user?: never }).user;
    const allowUnauthenticated = options.allowUnauthenticatedAccess ?? false;
    for (const entry of catalog.tools) {
      const listed =
        !entry.perCaller ||
        (auth.canAccessTool(user, entry.tool, moduleHasGuards, allowUnauthenticated) && (await this.guardsAllow(entry, req)));
      if (listed) tools.push(entry.listed);
    }
    return { tools };
  }

  private async guardsAllow(entry: CatalogTool, req: Request, args?: unknown): Promise<boolean> {
    if (!entry.tool.metadata.guards?.length) return true;
    const { library } = this.built();
    // `@ToolGuards` run exactly as the library runs them, with its guard context.
    const guarded = library as unknown as { checkToolGuards(tool: unknown, request: unknown, args?: unknown): Promise<boolean> };
    return guarded.checkToolGuards(entry.tool, adapted(req), args);
  }

  private async callTool(request: JSONRPCRequest, req: Request): Promise<unknown> {
    const call = isPlainToolCall(request) ? request : parse(CallToolRequestSchema, request);
    const { catalog, options, auth, moduleHasGuards } = this.built();
    const name = call.params.name;
    const entry = catalog.find(name);
    if (!entry) throw new McpError(ErrorCode.MethodNotFound, `Unknown tool: ${name}`);
    if (entry.perCaller) {
      auth.validateToolAccess((req as { user?: never }).user, entry.tool, moduleHasGuards, options.allowUnauthenticatedAccess ?? false);
      if (!(await this.guardsAllow(entry, req, call.params.arguments))) {
        throw new McpError(ErrorCode.InvalidRequest, `Access denied: insufficient permissions for tool '${name}'`);
      }
    }
    let args: unknown = call.params.arguments;
    if (entry.parameters) {
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
    const context = { reportProgress: QUIET, log: NO_LOG, mcpServer: undefined, mcpRequest: call };
    try {
      const instance = entry.instance ?? (await this.requestScoped(entry, req));
      const result = await instance[entry.tool.methodName].call(instance, args, context, req);
      return formatResult(result, entry);
    } catch (error) {
      if (error instanceof McpError) throw error;
      this.logger.error(error);
      return { content: [{ type: 'text', text: (error as Error).message }], isError: true };
    }
  }

  private async requestScoped(entry: CatalogTool, req: Request): Promise<NonNullable<CatalogTool['instance']>> {
    const contextId = ContextIdFactory.getByRequest(req);
    this.moduleRef.registerRequestByContextId(req, contextId);
    const instance = await this.moduleRef.resolve(entry.tool.providerClass as never, contextId, { strict: false });
    if (!instance) throw new McpError(ErrorCode.MethodNotFound, `Unknown tool: ${entry.name}`);
    return instance as NonNullable<CatalogTool['instance']>;
  }
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
