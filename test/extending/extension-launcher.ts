/*
 * An embedder's server, as the README's "Extending" section describes it: the built server (dist/server.js) started
 * with one extra Nest module whose tool uses the built-in DataverseClient and the @ToolClass decorator.
 * Run with `node -r ts-node/register/transpile-only` over stdio; configured by the usual environment variables.
 */
import { Inject, Module } from '@nestjs/common';
import { join } from 'node:path';
import { McpModule, Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';

const dist = join(__dirname, '..', '..', 'dist');
/* eslint-disable @typescript-eslint/no-require-imports */
// The built server's own classes and tokens, so that Nest sees one of each.
const { startServer } = require(join(dist, 'server.js')) as typeof import('../../src/server');
const { loadConfig } = require(join(dist, 'config', 'index.js')) as typeof import('../../src/config');
const { createRootLogger } = require(join(dist, 'logging', 'logger.js')) as typeof import('../../src/logging/logger');
const { ToolClass } = require(join(dist, 'tools', 'tool-class.decorator.js')) as typeof import('../../src/tools/tool-class.decorator');
// Through the dataverse folder's index, the entry that stays put however the folder is laid out inside.
const { DataverseClient } = require(join(dist, 'dataverse', 'index.js')) as typeof import('../../src/dataverse');
/* eslint-enable @typescript-eslint/no-require-imports */

@ToolClass('read')
class TeamTools {
  constructor(@Inject(DataverseClient) private readonly dataverse: InstanceType<typeof DataverseClient>) {}

  @Tool({
    name: 'count_active_accounts',
    description: 'Counts the active accounts the signed-in user can see. Use it for "how many accounts do we have".',
    parameters: z.object({}),
    outputSchema: z.object({ activeAccounts: z.number().describe('Number of active accounts') }),
    annotations: { title: 'Count active accounts', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  })
  async countActiveAccounts() {
    const res = await this.dataverse.get<{ '@odata.count': number }>('accounts', {
      query: { $select: 'accountid', $filter: 'statecode eq 0', $count: 'true', $top: '1' },
    });
    const activeAccounts = res.body['@odata.count'];
    return { content: [{ type: 'text' as const, text: `${activeAccounts} active accounts` }], structuredContent: { activeAccounts } };
  }
}

@Module({ imports: [McpModule.forFeature([TeamTools], 'dataverse-mcp')], providers: [TeamTools] })
class TeamToolsModule {}

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config, createRootLogger(config.logLevel), { imports: [TeamToolsModule] });
  process.stdin.once('end', () => void server.close().then(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`extension launcher failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
