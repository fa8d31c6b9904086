import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

type Json = unknown;

/**
 * Leaves out of a JSON Schema what says nothing: `$schema` (one line per schema, the same everywhere), `propertyNames`
 * of `{type: "string"}` (every JSON key is a string) and an empty `additionalProperties` (the default).
 */
export function compactSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema as Record<string, Json>)) {
    if (key === '$schema') continue;
    if (key === 'propertyNames' && isStringType(value)) continue;
    if (key === 'additionalProperties' && isEmptyObject(value)) continue;
    out[key] = compactSchema(value);
  }
  return out;
}

const isEmptyObject = (v: Json) => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
const isStringType = (v: Json) =>
  !!v && typeof v === 'object' && Object.keys(v).length === 1 && (v as { type?: unknown }).type === 'string';

/**
 * Every conversation pays for tools/list: its answer goes out with compact schemas and without the library's copy of
 * `securitySchemes` beside `_meta.securitySchemes`. Hooks the handler as it is registered, so it wraps whatever lists the tools.
 */
export function compactToolList(server: McpServer): McpServer {
  const inner = server.server;
  const register = inner.setRequestHandler.bind(inner) as (schema: unknown, handler: (...args: unknown[]) => unknown) => void;
  (inner as { setRequestHandler: unknown }).setRequestHandler = (schema: unknown, handler: (...args: unknown[]) => unknown) => {
    if (schema !== ListToolsRequestSchema) return register(schema, handler);
    return register(schema, async (...args: unknown[]) => {
      const result = (await handler(...args)) as { tools: Array<Record<string, Json>> };
      return { ...result, tools: result.tools.map(compactTool) };
    });
  };
  return server;
}

export function compactTool(tool: Record<string, Json>): Record<string, Json> {
  const { securitySchemes: _copy, inputSchema, outputSchema, ...rest } = tool;
  return {
    ...rest,
    inputSchema: compactSchema(inputSchema),
    ...(outputSchema === undefined ? {} : { outputSchema: compactSchema(outputSchema) }),
  };
}
