/**
 * Cache keys: `mcp:<env host>:<user key>:<entry>` (DESIGN §5). Metadata is cached per user because
 * what a user can see depends on their security roles.
 */
export const cacheKeys = {
  userPrefix: (envHost: string, userKey: string) => `mcp:${envHost}:${userKey}:`,
  identity: (envHost: string, userKey: string) => `mcp:${envHost}:${userKey}:identity`,
  tables: (envHost: string, userKey: string) => `mcp:${envHost}:${userKey}:tables`,
  schemaPrefix: (envHost: string, userKey: string) => `mcp:${envHost}:${userKey}:schema:`,
  cursor: (envHost: string, userKey: string, id: string) => `mcp:${envHost}:${userKey}:cursor:${id}`,
  schema: (envHost: string, userKey: string, logicalName: string) => `mcp:${envHost}:${userKey}:schema:${logicalName}`,
};
