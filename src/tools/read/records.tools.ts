import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { Optional } from '@nestjs/common';
import { z } from 'zod';
import { DEFAULT_TOP, ListRecordsInput, MAX_TOP, OUTPUT_BUDGET_CHARS, RecordsService } from '../../dataverse/records.service';
import { MAX_CURSOR_LENGTH } from '../../dataverse/paging/cursor-store';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { ATTACHMENT_HINT, includeParam, notesOutputShape, RecordNotes } from '../notes/record-notes';

const tableParam = z.string().min(1).max(128).describe('Table logical name (e.g. "contact") or entity set name (e.g. "contacts").');
const selectParam = z
  .union([z.array(z.string().max(130)).max(200), z.string().max(4000)])
  .optional()
  .describe(
    'Fields to return, as an array or a comma-separated list (e.g. "fullname,emailaddress1,parentcustomerid"). Omit for the default view\'s columns; "*" for all fields with a value.',
  );

const recordSchema = z
  .object({ url: z.string().optional().describe('Link to the record in the app, for the user.') })
  .catchall(z.unknown());

export const listRecordsOutputSchema = z.object({
  table: z.string().describe('Logical name of the table.'),
  entitySetName: z.string().describe('Entity set name of the table.'),
  records: z.array(recordSchema).describe('The records of this page.'),
  hasMore: z.boolean().describe('True when more records are available: call list_records again with cursor = nextCursor.'),
  nextCursor: z.string().optional().describe('Opaque cursor for the next page; only valid with the same table.'),
  truncated: z
    .boolean()
    .optional()
    .describe('True when the output size limit cut this page short (nextCursor continues after the last record shown).'),
  note: z.string().optional().describe('How to get the rest when the output was cut.'),
});

export const getRecordOutputSchema = z.object({
  table: z.string().describe('Logical name of the table.'),
  entitySetName: z.string().describe('Entity set name of the table.'),
  id: z.string().describe('Record id.'),
  record: recordSchema.describe('The record: raw values, "<field>@label" formatted values, lookups as {id, table, name}.'),
  ...notesOutputShape,
});

const RECORD_FORMAT =
  'Values come raw with a formatted "<field>@label" beside them where it adds something (choice labels, money, local dates); ' +
  'lookups appear as "<field>": {"id", "table", "name"} (filter them with _<field>_value eq <guid>).';

@ToolClass('read')
export class RecordsTools {
  constructor(
    private readonly records: RecordsService,
    @Optional() private readonly notes?: RecordNotes,
  ) {}

  @Tool({
    name: 'list_records',
    description:
      'Lists records of one table with an optional OData $filter, select, orderby and page size (top). ' +
      `${RECORD_FORMAT} Fields without a value are left out unless named in select. ` +
      "Filter syntax: contains(fullname,'smith'), startswith(name,'Con'), eq/ne/gt/ge/lt/le, and/or/not, null, " +
      'dates like createdon ge 2024-01-01T00:00:00Z, GUIDs unquoted, text in single quotes; use logical field names from get_table_schema; ' +
      "a related record's field via the lookup's navigation property: parentcustomerid_account/name eq 'Contoso'. " +
      'Or run a view (see get_table_schema) or FetchXML (link-entity columns come as <alias>.<field>). ' +
      `Returns up to top records (default ${DEFAULT_TOP}, max ${MAX_TOP}) and at most about ${OUTPUT_BUDGET_CHARS} characters; ` +
      'when hasMore is true call again with the same table and cursor = nextCursor (other parameters are then ignored). ' +
      'Call list_tables first if unsure of the table name.',
    parameters: z.object({
      table: tableParam,
      filter: z.string().max(4000).optional().describe('OData $filter expression, e.g. "statecode eq 0 and contains(name,\'Contoso\')".'),
      select: selectParam,
      orderby: z.string().max(500).optional().describe('Sort order: "field" or "field desc", comma-separated, e.g. "createdon desc".'),
      top: z.number().int().min(1).max(MAX_TOP).optional().describe(`Records per page (default ${DEFAULT_TOP}, max ${MAX_TOP}).`),
      cursor: z
        .string()
        .max(MAX_CURSOR_LENGTH)
        .optional()
        .describe('nextCursor from a previous list_records call on the same table, to get the next page.'),
      fetchXml: z.string().optional().describe('A whole <fetch>; not with filter/select/orderby/view.'),
      view: z.string().optional().describe('View name or id.'),
    }),
    outputSchema: listRecordsOutputSchema,
    annotations: annotations('List records', READ_ANNOTATIONS),
  })
  async listRecords(args: ListRecordsInput): Promise<CallToolResult> {
    const result = await this.records.list(args);
    const n = result.records.length;
    let summary: string;
    if (!n) {
      summary = `No ${result.table} records matched${args.filter && !args.cursor ? ' the filter' : ''}.`;
    } else {
      summary = `${n} ${result.table} record${n === 1 ? '' : 's'}.`;
      if (result.truncated) summary += ` ${result.note}`;
      else if (result.hasMore) summary += ' More are available: call list_records again with the same table and cursor = nextCursor.';
    }
    return toolResult(summary, { ...result });
  }

  @Tool({
    name: 'get_record',
    description:
      `Reads one record by its id (a GUID), optionally only the fields in select. ${RECORD_FORMAT} ` +
      `Fields without a value are left out unless named in select. Use list_records to find ids. ${ATTACHMENT_HINT}`,
    parameters: z.object({
      table: tableParam,
      id: z.string().max(40).describe('Record id (GUID), e.g. from list_records.'),
      select: selectParam,
      include: includeParam,
    }),
    outputSchema: getRecordOutputSchema,
    annotations: annotations('Get record', READ_ANNOTATIONS),
  })
  async getRecord(args: { table: string; id: string; select?: string | string[]; include?: string[] }): Promise<CallToolResult> {
    const file = await this.notes?.attachment(args);
    if (file) return file;
    const result = await this.records.get(args.table, args.id, args.select);
    const extras = (await this.notes?.extras(result.id, args.include)) ?? {};
    return toolResult(`${result.table} ${result.id}.${extras.notes ? ` ${extras.notes.length} notes.` : ''}`, { ...result, ...extras });
  }
}
