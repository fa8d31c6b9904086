import { McpOptions, McpTransportType } from '@rekog/mcp-nest/dist/mcp';
import type { AppConfig } from '../config/app-config';
import { clientLog } from '../logging/client/client-log';
import { serverInstructions } from './instructions';
import { compactToolList } from './surface/compact-tool-list';
import { enabledToolsets } from './surface/toolsets';

export const SERVER_NAME = 'dataverse-mcp';

const TRANSPORTS: Record<AppConfig['transports'][number], McpTransportType> = {
  stdio: McpTransportType.STDIO,
  sse: McpTransportType.SSE,
  http: McpTransportType.STREAMABLE_HTTP,
};

/** @rekog/mcp-nest options. `transport` is always explicit: the library defaults to all three, stdio included. */
export function mcpOptions(config: AppConfig, version: string): McpOptions {
  return {
    name: SERVER_NAME,
    title: 'Dataverse',
    version,
    instructions: serverInstructions(enabledToolsets(config)),
    transport: config.transports.map((t) => TRANSPORTS[t]),
    sseEndpoint: 'sse',
    messagesEndpoint: 'messages',
    mcpEndpoint: 'mcp',
    // Options merge shallowly, so both objects are given whole.
    streamableHttp: { enableJsonResponse: true, statelessMode: true, sessionIdGenerator: undefined },
    sse: { pingEnabled: true, pingIntervalMs: 30000 },
    logging: { level: ['error', 'warn'] },
    // MCP logging: logging/setLevel is answered by the SDK; see clientLog for what is sent.
    capabilities: { logging: {} },
    serverMutator: (server) => compactToolList(clientLog.attach(server)),
  };
}
