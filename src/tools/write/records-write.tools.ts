import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { WriteOutcome, WritesService } from '../../dataverse/writes.service';
import { annotations, CREATE_ANNOTATIONS, UPDATE_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

const tableParam = z.string().min(1).max(128).describe('Table logical name (e.g. "contact") or entity set name (e.g. "contacts").');

const dataParam = z
  .record(z.string(), z.unknown())
  .describe("Field values by logical field name (from get_table_schema), in the forms this tool's description lists.");

export const writeOutputSchema = z.object({
  table: z.string().describe('Logical name of the table.'),
  entitySetName: z.string().describe('Entity set name of the table.'),
  id: z.string().describe('Id (GUID) of the record.'),
  name: z.string().optional().describe('Primary name of the record after the write, when the table has one.'),
  fields: z.array(z.string()).describe('Logical names of the fields that were written.'),
  localTimes: z
    .array(z.object({ field: z.string(), local: z.string(), utc: z.string(), timeZone: z.string() }))
    .optional()
    .describe("Date-times given without an offset: as given, as stored (UTC), and the user's zone used."),
});

/** The value forms of `data` are described once, in the server instructions (DATA_FORMS). */
const DATA_FORMS = 'Value forms of data: see the server instructions.';

@ToolClass('create')
export class CreateRecordTools {
  constructor(private readonly writes: WritesService) {}

  @Tool({
    name: 'create_record',
    description:
      'Creates one record and returns its id and primary name. Call get_table_schema for the table first and use its logical field names, ' +
      'types, choice values and lookup targets; fields marked required: "yes" must be given. data is checked against the schema before ' +
      'anything is sent: a refused call creates nothing and says exactly what to fix. ' +
      `${DATA_FORMS} ` +
      'Example, "schedule a meeting with Jane tomorrow at 2pm": table "appointment", data {"subject": "Meeting with Jane", ' +
      '"scheduledstart": "2025-06-04T14:00", "scheduledend": "2025-06-04T14:30", "parties": [{"role": "required", "table": "contact", ' +
      '"id": "<Jane\'s contactid from list_records>"}, {"role": "organizer", "table": "systemuser", "id": "<userId>"}]}. ' +
      'Do not call it twice for one record: if a call fails with a timeout, check with list_records first.',
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
      'Changes fields of one existing record; only the fields in data change, null clears a field or a lookup. It never creates a record ' +
      '(sent with If-Match: *): a wrong id is reported as not found. Call get_table_schema for the table first; data is checked against it ' +
      'before anything is sent, and a refused call changes nothing. ' +
      `${DATA_FORMS} ` +
      'Giving parties replaces the whole attendee/recipient list of the activity. Use list_records or get_record to find the id.',
    parameters: z.object({
      table: tableParam,
      id: z.string().max(40).describe('Id (GUID) of the record to change, e.g. from list_records.'),
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
