import { DynamicModule, Module, Provider } from '@nestjs/common';
import { McpModule } from '@rekog/mcp-nest/dist/mcp';
import type { AppConfig } from '../config/app-config';
import { AuthTools } from './auth/auth.tools';
import { BULK_WRITE_TOOLS } from './bulk/bulk-write.tools';
import { DELETE_TOOLS } from './delete/delete.tools';
import { mcpOptions } from './mcp-options';
import { IdentityTools, MetadataTools, RecordsTools } from './read';
import { HistoryTools } from './history/history.tools';
import { QUERY_TOOLS } from './query';
import { SEARCH_TOOLS } from './search/search.tools';
import { RELATIONSHIP_TOOLS } from './relationships/relationship.tools';
import { WRITE_TOOLS } from './write/records-write.tools';
import { RecordNotes } from './notes/record-notes';
import { McpDispatcher } from '../mcp/dispatch/mcp-dispatcher';
import { StdioSession } from '../mcp/stdio/stdio-session';
import { enabledToolsets } from './surface/toolsets';
import type { ToolsetName } from '../config/app-config';

/**
 * The MCP server and its tool providers. Which tools exist depends on the configuration: DATAVERSE_TOOLSETS picks
 * the groups, DATAVERSE_READ_ONLY hides every write, DATAVERSE_ALLOW_DELETE=false hides the two delete tools.
 */
@Module({})
export class ToolsModule {
  static forRoot(config: AppConfig, version: string): DynamicModule {
    const tools: Provider[] = [AuthTools, RecordNotes, ...toolsFor(config)];
    return {
      module: ToolsModule,
      imports: [McpModule.forRoot(mcpOptions(config, version))],
      // The dispatcher answers Streamable HTTP (src/http/streamable) and stdio (src/mcp/stdio); the library serves SSE.
      providers: [...tools, McpDispatcher, ...(config.transports.includes('stdio') ? [StdioSession] : [])],
      exports: [McpDispatcher],
    };
  }
}

/** The tool classes of each toolset (README "Toolsets"); sign_in and sign_out are outside them, always listed. */
export const TOOLSET_TOOLS: Record<ToolsetName, Provider[]> = {
  records: [IdentityTools, MetadataTools, RecordsTools],
  query: [...QUERY_TOOLS, ...SEARCH_TOOLS],
  write: [...WRITE_TOOLS, ...BULK_WRITE_TOOLS, ...RELATIONSHIP_TOOLS],
  delete: DELETE_TOOLS,
  history: [HistoryTools],
};

/** The data tools a configuration exposes: the enabled toolsets' tools. */
export function toolsFor(config: Pick<AppConfig, 'toolsets' | 'readOnly' | 'allowDelete'>): Provider[] {
  return enabledToolsets(config).flatMap((set) => TOOLSET_TOOLS[set]);
}
