import { AsyncLocalStorage } from 'node:async_hooks';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** What one tool call carries through the services it calls (read by the audit interceptor). */
export interface CallContext {
  tool: string;
  /** The caller's stable user key once a token was resolved (Entra object id, sandbox user id, ...). */
  userKey?: string;
  /** The signed-in account once a token was resolved (the auth module's SignedInAccount): it stays the same for the rest of the call. */
  account?: { userKey: string; username?: string; name?: string };
  /** Incoming bearer token in multi-user mode; never logged. */
  bearer?: string;
  /** `REQ_ID`s of the Dataverse requests this call made, for the audit trail. */
  dataverseRequestIds: string[];
  /** The audit interceptor reads these for proposals and other events of a call. */
  auditExtras: Record<string, unknown>;
  /** Edit-distance work spent on "did you mean" suggestions so far (bounded per call, see edit-distance.ts). */
  suggestionCells?: number;
  /** Names suggestions were looked for so far in this call. */
  suggestionRuns?: number;
  /** The MCP session the call came in on (for notifications/message about this call). */
  mcpServer?: McpServer;
}

const storage = new AsyncLocalStorage<CallContext>();

export const callContext = {
  run<T>(ctx: CallContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  current(): CallContext | undefined {
    return storage.getStore();
  },
};
