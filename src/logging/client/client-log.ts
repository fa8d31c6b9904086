import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { callContext } from '../../common/call-context';

/**
 * MCP `notifications/message` for the few things a person at the client should see (throttling and the wait, the
 * Redis fallback, an expired sign-in). The SDK answers `logging/setLevel` and drops messages below the level the
 * client asked for (per session). Messages are fixed sentences from this server: never tokens or record values.
 *
 * Only stdio and SSE sessions carry them: the stateless Streamable HTTP mode answers each request with one JSON
 * response and has no stream for a notification.
 */
export type ClientLogScope =
  /** Concerns the running tool call only (its throttling, its user's sign-in): sent to that call's session. */
  | 'call'
  /** Concerns every user of the process (Redis): sent to every open session. */
  | 'process';

const LOGGER = 'dataverse-mcp';
const live = new Set<McpServer>();

function persistent(transport: Transport | undefined): boolean {
  return (transport as { persistent?: unknown } | undefined)?.persistent === true || transport instanceof SSEServerTransport;
}

function send(server: McpServer, level: LoggingLevel, message: string): void {
  const transport = server.server.transport;
  if (!persistent(transport)) {
    live.delete(server);
    return;
  }
  // The session id keys the level set by logging/setLevel (undefined over stdio).
  server.server.sendLoggingMessage({ level, logger: LOGGER, data: message }, transport?.sessionId).catch(() => {
    // The session went away meanwhile: nothing to tell.
  });
}

export const clientLog = {
  /** `serverMutator` for @rekog/mcp-nest: remembers each server once it is connected over stdio or SSE. */
  attach(server: McpServer): McpServer {
    const connect = server.connect.bind(server);
    server.connect = async (transport: Transport) => {
      await connect(transport);
      if (!persistent(transport)) return;
      live.add(server);
      const closed = transport.onclose;
      transport.onclose = () => {
        live.delete(server);
        closed?.();
      };
    };
    return server;
  },

  notify(level: LoggingLevel, message: string, scope: ClientLogScope): void {
    if (scope === 'process') {
      for (const server of [...live]) send(server, level, message);
      return;
    }
    const server = callContext.current()?.mcpServer;
    if (server && live.has(server)) send(server, level, message);
  },

  warn(message: string, scope: ClientLogScope): void {
    this.notify('warning', message, scope);
  },

  /** Open sessions that receive messages (for tests). */
  sessions(): number {
    return live.size;
  },
};
