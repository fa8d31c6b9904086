import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpOptions } from '@rekog/mcp-nest/dist/mcp';
import { McpRegistryDiscoveryService } from '@rekog/mcp-nest/dist/mcp/services/mcp-registry-discovery.service';
import { createMcpServer } from '@rekog/mcp-nest/dist/mcp/utils/mcp-server.factory';
import { Caller, McpDispatcher } from '../dispatch/mcp-dispatcher';
import { isPlainRequest } from '../dispatch/json-rpc-shape';
import { serializeAnswer } from '../dispatch/serialize-answer';
import { StdioTransport } from './stdio-transport';

const ANSWERED_HERE = new Set(['tools/call', 'tools/list']);

/**
 * The stdio session (Claude Desktop starts one process per conversation). The SDK's MCP server, built as the library
 * builds it (server info, capabilities, instructions, the server mutator), keeps the session: initialize and its
 * negotiation, logging/setLevel, notifications to the client, elicitation and its answers. Plain tool calls and
 * tool lists — nearly every message — are answered by the shared {@link McpDispatcher} straight from the transport,
 * with no schema parse or per-request bookkeeping; the same requests with `_meta` (a progress token) or any other
 * shape reach the same dispatcher through the SDK's request handlers. Either way a call gets the session's context.
 */
@Injectable()
export class StdioSession implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('McpStdio');
  private server?: McpServer;
  /** Calls answered here and still running, and whether the client cancelled them (then no answer is sent). */
  private readonly running = new Map<string | number, boolean>();

  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const options = this.moduleRef.get<string, McpOptions>('MCP_OPTIONS', { strict: false });
    const moduleId = this.moduleRef.get<string, string>('MCP_MODULE_ID', { strict: false });
    const registry = this.moduleRef.get(McpRegistryDiscoveryService, { strict: false });
    const guarded = this.dispatcher.guardedTools();
    if (guarded.length) {
      this.logger.warn(`@ToolGuards() need an HTTP request; hidden over stdio: ${guarded.join(', ')}. Use an HTTP transport.`);
    }
    const server = createMcpServer(moduleId, registry, options, this.logger as never);
    const caller: Caller = { session: server, scope: {} };
    const viaSdk = (request: unknown) => this.dispatcher.handle(request as JSONRPCRequest, caller) as Promise<never>;
    server.server.setRequestHandler(ListToolsRequestSchema, viaSdk);
    server.server.setRequestHandler(CallToolRequestSchema, viaSdk);
    const transport = new StdioTransport();
    // A message that could not be read is dropped, as the SDK drops it. The line says why in fixed words: a parse
    // error's own message quotes the input, which may hold record values.
    transport.onerror = (error) =>
      this.logger.warn(
        error.message.startsWith('A message over')
          ? error.message
          : `a message on stdin was not valid JSON-RPC (${error.name}) and was dropped`,
      );
    transport.intercept = (message) => {
      if (!isPlainRequest(message)) {
        this.noteCancel(message);
        return false;
      }
      if (!ANSWERED_HERE.has(message.method)) return false;
      void this.answer(message, caller, transport);
      return true;
    };
    await server.connect(transport);
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close().catch(() => undefined);
  }

  private async answer(request: JSONRPCRequest, caller: Caller, transport: StdioTransport): Promise<void> {
    this.running.set(request.id, false);
    const answer = await this.dispatcher.answer(request, caller);
    const cancelled = this.running.get(request.id);
    this.running.delete(request.id);
    // As the SDK does: a request the client cancelled gets no answer.
    if (cancelled) return;
    await transport
      .write(serializeAnswer(answer) + '\n')
      .catch((error: Error) => this.logger.warn(`could not write an answer: ${error.message}`));
  }

  /** `notifications/cancelled` for a call answered here (the SDK's protocol sees it too, for its own requests). */
  private noteCancel(message: unknown): void {
    const m = message as { method?: unknown; params?: { requestId?: unknown } };
    if (m?.method !== 'notifications/cancelled') return;
    const id = m.params?.requestId as string | number;
    if (this.running.has(id)) this.running.set(id, true);
  }
}
