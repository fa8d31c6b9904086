import { DynamicModule, Module, Provider } from '@nestjs/common';
import { McpModule } from '@rekog/mcp-nest/dist/mcp';
import type { AppConfig } from '../config/app-config';
import { AuthTools } from './auth/auth.tools';
import { mcpOptions } from './mcp-options';
import { READ_TOOLS } from './read';

/**
 * The MCP server and its tool providers. Which tools exist depends on the configuration:
 * DATAVERSE_READ_ONLY hides every write, DATAVERSE_ALLOW_DELETE=false hides the two delete tools.
 */
@Module({})
export class ToolsModule {
  static forRoot(config: AppConfig, version: string): DynamicModule {
    const tools: Provider[] = [AuthTools, ...READ_TOOLS];
    return {
      module: ToolsModule,
      imports: [McpModule.forRoot(mcpOptions(config, version))],
      providers: tools,
    };
  }
}
