import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { Optional } from '@nestjs/common';
import { z } from 'zod';
import { DEFAULT_TOP, ListRecordsInput, MAX_TOP, OUTPUT_BUDGET_CHARS, RecordsService } from '../../dataverse/records/records.service';
import { MAX_CURSOR_LENGTH } from '../../dataverse/records/paging/cursor-store';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { idParam, recordRow, selectParam, tableParam } from '../surface/params';
import { ATTACHMENT_HINT, includeParam, notesOutputShape, RecordNotes } from '../notes/record-notes';

export const listRecordsOutputSchema = z.object({
  table: z.string(),
  entitySetName: z.string(),
  records: z.array(recordRow),
  hasMore: z.boolean(),
  nextCursor: z.string().optional(),
  truncated: z.boolean().optional(),
  note: z.string().optional(),
});

export const getRecordOutputSchema = z.object({
  table: z.string(),
  entitySetName: z.string(),
  id: z.string(),
  record: recordRow,
  ...notesOutputShape,
});

@ToolClass('read')
export class RecordsTools {
  constructor(
    private readonly records: RecordsService,
    @Optional() private readonly notes?: RecordNotes,
  ) {}

  @Tool({
    name: 'list_records',
    description:
      'Records of one table by OData filter, select, orderby and top, or by a view (names in get_table_schema) or fetchXml ' +
      '(link-entity columns as <alias>.<field>). Lookups come as {id, table, name}: filter them as _<field>_value eq <guid>, or ' +
      "through the lookup, e.g. parentcustomerid_account/name eq 'Contoso'. Empty fields are left out unless selected. " +
      `Up to top records (default ${DEFAULT_TOP}) and about ${OUTPUT_BUDGET_CHARS} characters; when hasMore, call again with only table and cursor.`,
    parameters: z.object({
      table: tableParam,
      filter: z.string().max(4000).optional().describe('OData $filter'),
      select: selectParam,
      orderby: z.string().max(500).optional().describe('e.g. "createdon desc"'),
      top: z.number().int().min(1).max(MAX_TOP).optional().describe(`Page size, max ${MAX_TOP}`),
      cursor: z.string().max(MAX_CURSOR_LENGTH).optional().describe('nextCursor of the previous page'),
      fetchXml: z.string().optional().describe('A whole <fetch> instead of filter/select/view'),
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
    description: `One record by id, with the fields in select (as in list_records). ${ATTACHMENT_HINT}`,
    parameters: z.object({
      table: tableParam,
      id: idParam,
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
