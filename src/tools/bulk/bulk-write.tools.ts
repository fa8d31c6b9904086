import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from '@rekog/mcp-nest/dist/mcp';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { BulkOutcome, BulkWritesService, MAX_BULK_ROWS, ProgressReporter } from '../../dataverse/batch/bulk-writes.service';
import { annotations, CREATE_ANNOTATIONS, UPDATE_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { row, tableParam } from '../surface/params';

const bulkOutputSchema = z.object({ table: z.string(), ids: z.array(z.string()) });

/** MCP progress when the client asked for it (a progressToken); otherwise nothing. */
function progressOf(context: Context | undefined): ProgressReporter | undefined {
  if (!context?.reportProgress) return undefined;
  return (progress, total, message) => context.reportProgress({ progress, total, message }).catch(() => undefined);
}

function summary(verb: string, r: BulkOutcome): string {
  const times = r.localTimes
    ? ` ${r.localTimes.count} date-time${r.localTimes.count === 1 ? '' : 's'} without an offset taken in ${r.localTimes.timeZone}, e.g. ${r.localTimes.example}.`
    : '';
  return `${verb} ${r.ids.length} ${r.table} record${r.ids.length === 1 ? '' : 's'} in one change set.${times}`;
}

@ToolClass('create')
export class CreateRecordsTools {
  constructor(private readonly bulk: BulkWritesService) {}

  @Tool({
    name: 'create_records',
    description:
      `Creates up to ${MAX_BULK_ROWS} records of one table, all or nothing; items as create_record data. ` +
      'All rows are checked first (problems by row, nothing sent). Returns ids in input order.',
    parameters: z.object({
      table: tableParam,
      records: z.array(row).min(1).max(MAX_BULK_ROWS).describe('data per record'),
    }),
    outputSchema: bulkOutputSchema,
    annotations: annotations('Create records', CREATE_ANNOTATIONS),
  })
  async createRecords(args: { table: string; records: Record<string, unknown>[] }, context?: Context): Promise<CallToolResult> {
    const result = await this.bulk.createMany(args.table, args.records, progressOf(context));
    return toolResult(summary('Created', result), { table: result.table, ids: result.ids });
  }
}

@ToolClass('update')
export class UpdateRecordsTools {
  constructor(private readonly bulk: BulkWritesService) {}

  @Tool({
    name: 'update_records',
    description:
      `Changes up to ${MAX_BULK_ROWS} records of one table, all or nothing; never creates. ` +
      'All rows are checked first (problems by row, nothing sent).',
    parameters: z.object({
      table: tableParam,
      updates: z
        .array(z.object({ id: z.string().max(40), data: row }))
        .min(1)
        .max(MAX_BULK_ROWS)
        .describe('{id, data} each.'),
    }),
    outputSchema: bulkOutputSchema,
    annotations: annotations('Update records', UPDATE_ANNOTATIONS),
  })
  async updateRecords(
    args: { table: string; updates: Array<{ id: string; data: Record<string, unknown> }> },
    context?: Context,
  ): Promise<CallToolResult> {
    const result = await this.bulk.updateMany(args.table, args.updates, progressOf(context));
    return toolResult(summary('Updated', result), { table: result.table, ids: result.ids });
  }
}

/** Hidden when DATAVERSE_READ_ONLY is true. */
export const BULK_WRITE_TOOLS = [CreateRecordsTools, UpdateRecordsTools];
