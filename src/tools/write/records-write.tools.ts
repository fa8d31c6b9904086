import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { WriteOutcome, WritesService } from '../../dataverse/writes/writes.service';
import { annotations, CREATE_ANNOTATIONS, UPDATE_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { dataParam, idParam, row, tableParam } from '../surface/params';

export const writeOutputSchema = z.object({
  table: z.string(),
  entitySetName: z.string(),
  id: z.string(),
  name: z.string().optional(),
  fields: z.array(z.string()),
  localTimes: z.array(row).optional(),
});

@ToolClass('create')
export class CreateRecordTools {
  constructor(private readonly writes: WritesService) {}

  @Tool({
    name: 'create_record',
    description:
      'Creates one record; returns its id and name. data uses the field names of get_table_schema; required "yes" fields must be ' +
      'given. Checked first: a refused call creates nothing and says what to fix. After a timeout, check with list_records before retrying.',
    parameters: z.object({ table: tableParam, data: dataParam }),
    outputSchema: writeOutputSchema,
    annotations: annotations('Create record', CREATE_ANNOTATIONS),
  })
  async createRecord(args: { table: string; data: Record<string, unknown> }): Promise<CallToolResult> {
    const result = await this.writes.create(args.table, args.data);
    return toolResult(`Created ${describe(result)}.${times(result)}`, { ...result });
  }
}

@ToolClass('update')
export class UpdateRecordTools {
  constructor(private readonly writes: WritesService) {}

  @Tool({
    name: 'update_record',
    description:
      'Changes the fields in data of one existing record (null clears); never creates. Checked first: a refused call changes nothing. ' +
      'parties replace the whole attendee list.',
    parameters: z.object({
      table: tableParam,
      id: idParam,
      data: dataParam,
    }),
    outputSchema: writeOutputSchema,
    annotations: annotations('Update record', UPDATE_ANNOTATIONS),
  })
  async updateRecord(args: { table: string; id: string; data: Record<string, unknown> }): Promise<CallToolResult> {
    const result = await this.writes.update(args.table, args.id, args.data);
    return toolResult(`Updated ${describe(result)}: ${result.fields.join(', ')}.${times(result)}`, { ...result });
  }
}

/** Echo of date-times taken in the user's zone: what was given and what is stored. */
function times(r: WriteOutcome): string {
  if (!r.localTimes?.length) return '';
  return ` ${r.localTimes.map((t) => `${t.field}: ${t.local} ${t.timeZone} = ${t.utc}`).join('; ')}.`;
}

function describe(r: WriteOutcome): string {
  return `${r.table}${r.name ? ` "${r.name}"` : ''} with id ${r.id}`;
}

/** Create and update: hidden when DATAVERSE_READ_ONLY is true. */
export const WRITE_TOOLS = [CreateRecordTools, UpdateRecordTools];
