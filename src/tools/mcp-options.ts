import { McpOptions, McpTransportType } from '@rekog/mcp-nest/dist/mcp';
import type { AppConfig } from '../config/app-config';
import { clientLog } from '../logging/client/client-log';
import { serverInstructions } from './instructions';
import { compactToolList } from './surface/compact-tool-list';
import { enabledToolsets } from './surface/toolsets';

export const SERVER_NAME = 'dataverse-mcp';

/**
 * The transports the library serves: SSE only. Its Streamable HTTP handler builds an MCP server, a transport and a
 * JSON-Schema validator for every stateless request, and its stdio handler runs a per-call handler (registry lookup,
 * provider resolution, zod-to-JSON-Schema conversion on every tools/list). So `/mcp` (src/http/streamable) and stdio
 * (src/mcp/stdio) are served by the shared dispatcher (src/mcp/dispatch) on the library's decorators and discovery.
 */
const TRANSPORTS: Partial<Record<AppConfig['transports'][number], McpTransportType>> = {
  sse: McpTransportType.SSE,
};

/** @rekog/mcp-nest options. `transport` is always explicit: the library defaults to all three, stdio included. */
export function mcpOptions(config: AppConfig, version: string): McpOptions {
  return {
    name: SERVER_NAME,
    title: 'Dataverse',
    version,
    instructions: serverInstructions(enabledToolsets(config)),
    transport: config.transports.flatMap((t) => TRANSPORTS[t] ?? []),
    sseEndpoint: 'sse',
    messagesEndpoint: 'messages',
    // Options merge shallowly, so the object is given whole.
    sse: { pingEnabled: true, pingIntervalMs: 30000 },
    logging: { level: ['error', 'warn'] },
    // MCP logging: logging/setLevel is answered by the SDK; see clientLog for what is sent.
    capabilities: { logging: {} },
    serverMutator: (server) => compactToolList(clientLog.attach(server)),
  };
}
