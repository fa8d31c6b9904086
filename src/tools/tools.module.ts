import { DynamicModule, Module, Provider } from '@nestjs/common';
import { McpModule } from '@rekog/mcp-nest/dist/mcp';
import type { AppConfig } from '../config/app-config';
import { AuthTools } from './auth/auth.tools';
import { BULK_WRITE_TOOLS } from './bulk/bulk-write.tools';
import { DELETE_TOOLS } from './delete/delete.tools';
import { mcpOptions } from './mcp-options';
import { READ_TOOLS } from './read';
import { QUERY_TOOLS } from './query';
import { SEARCH_TOOLS } from './search/search.tools';
import { RELATIONSHIP_TOOLS } from './relationships/relationship.tools';
import { WRITE_TOOLS } from './write/records-write.tools';
import { RecordNotes } from './notes/record-notes';

/**
 * The MCP server and its tool providers. Which tools exist depends on the configuration:
 * DATAVERSE_READ_ONLY hides every write, DATAVERSE_ALLOW_DELETE=false hides the two delete tools.
 */
@Module({})
export class ToolsModule {
  static forRoot(config: AppConfig, version: string): DynamicModule {
    const tools: Provider[] = [AuthTools, RecordNotes, ...toolsFor(config)];
    return {
      module: ToolsModule,
      imports: [McpModule.forRoot(mcpOptions(config, version))],
      providers: tools,
    };
  }
}

/** The data tools a configuration exposes: reads always; writes unless read-only; deletes unless read-only or deletes are off. */
export function toolsFor(config: Pick<AppConfig, 'readOnly' | 'allowDelete'>): Provider[] {
  const reads = [...READ_TOOLS, ...QUERY_TOOLS, ...SEARCH_TOOLS];
  if (config.readOnly) return reads;
  return [...reads, ...WRITE_TOOLS, ...BULK_WRITE_TOOLS, ...RELATIONSHIP_TOOLS, ...(config.allowDelete ? DELETE_TOOLS : [])];
}
