import type { ModuleRef } from '@nestjs/core';
import type { McpOptions } from '@rekog/mcp-nest/dist/mcp';
import type { McpRegistryDiscoveryService } from '@rekog/mcp-nest/dist/mcp/services/mcp-registry-discovery.service';
import type { ToolAuthorizationService } from '@rekog/mcp-nest/dist/mcp/services/tool-authorization.service';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { normalizeObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { compactTool } from '../../tools/surface/compact-tool-list';
import { compileArguments } from './fast-arguments';

type Tool = ReturnType<McpRegistryDiscoveryService['getTools']>[number];

/** What a tool call needs, worked out once per tool instead of once per request. */
export interface CatalogTool {
  tool: Tool;
  name: string;
  /** The tools/list entry, already compact (see compactTool). */
  listed: Record<string, unknown>;
  parameters?: {
    safeParse(data: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } };
  };
  /** The plain check of simple argument schemas (fast-arguments.ts): the parsed arguments, or undefined for zod to decide. */
  fastParameters?: (args: unknown) => Record<string, unknown> | undefined;
  outputSchema?: { safeParse(data: unknown): { success: boolean; data?: unknown; error?: { message: string } } };
  /** Whether access depends on the caller (module guards, roles, scopes, `@ToolGuards`): then it is checked per request. */
  perCaller: boolean;
  /** The provider instance, when it is a singleton (the usual case); request-scoped providers resolve per call. */
  instance?: Record<string, (...args: unknown[]) => unknown>;
}

/**
 * The MCP module's discovered tools (the library's `@Tool` decorators and discovery), each with its JSON Schema and
 * provider instance resolved once: the same entries the library's own handler builds on every tools/list and every
 * call. Built on first use, after discovery has run.
 */
export class ToolCatalog {
  readonly tools: CatalogTool[];
  private readonly byName = new Map<string, CatalogTool>();

  constructor(
    registry: McpRegistryDiscoveryService,
    moduleId: string,
    options: McpOptions,
    auth: ToolAuthorizationService,
    moduleRef: ModuleRef,
  ) {
    const moduleHasGuards = (options.guards?.length ?? 0) > 0;
    this.tools = registry.getTools(moduleId).map((tool) => {
      const entry: CatalogTool = {
        tool,
        name: tool.metadata.name,
        listed: compactTool(listEntry(tool, auth.generateSecuritySchemes(tool, moduleHasGuards))),
        parameters: tool.metadata.parameters as CatalogTool['parameters'],
        fastParameters: compileArguments(tool.metadata.parameters),
        outputSchema: tool.metadata.outputSchema as CatalogTool['outputSchema'],
        perCaller:
          moduleHasGuards ||
          !!tool.metadata.guards?.length ||
          !!tool.metadata.requiredScopes?.length ||
          !!tool.metadata.requiredRoles?.length,
        instance: singleton(moduleRef, tool.providerClass),
      };
      if (!this.byName.has(entry.name)) this.byName.set(entry.name, entry);
      return entry;
    });
  }

  find(name: string): CatalogTool | undefined {
    return this.byName.get(name);
  }
}

/** The tools/list entry exactly as the library writes it. */
function listEntry(tool: Tool, securitySchemes: unknown[]): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: tool.metadata.name,
    description: tool.metadata.description,
    annotations: tool.metadata.annotations,
    _meta: tool.metadata._meta,
  };
  if (securitySchemes.length > 0) {
    entry.securitySchemes = securitySchemes;
    entry._meta = { ...(entry._meta as object | undefined), securitySchemes };
  }
  const input = normalizeObjectSchema(tool.metadata.parameters as never);
  if (input) entry.inputSchema = toJsonSchemaCompat(input);
  const output = normalizeObjectSchema(tool.metadata.outputSchema as never);
  if (output) entry.outputSchema = { ...toJsonSchemaCompat(output), type: 'object' };
  return entry;
}

function singleton(moduleRef: ModuleRef, cls: unknown): CatalogTool['instance'] {
  try {
    return moduleRef.get(cls as never, { strict: false }) as CatalogTool['instance'];
  } catch {
    // Request-scoped (or transient): resolved per call, as the library does.
    return undefined;
  }
}
