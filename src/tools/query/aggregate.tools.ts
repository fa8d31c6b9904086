import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { AggregateInput, AggregateResult, AggregateService } from '../../dataverse/query/aggregate.service';
import { AGGREGATE_OPS } from '../../dataverse/query/aggregate-plan';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { ToolClass } from '../tool-class.decorator';
import { tableParam } from '../surface/params';

export const aggregateOutputSchema = z.object({
  table: z.string(),
  groups: z.array(z.record(z.string(), z.unknown())),
  groupCount: z.number().int(),
  truncated: z.literal(true).optional(),
});

@ToolClass('read')
export class AggregateTools {
  constructor(private readonly aggregates: AggregateService) {}

  @Tool({
    name: 'aggregate_records',
    description: 'Counts, sums, averages, min/max per group in one call, largest first.',
    // Bounds are checked by the service (names, counts, lengths), keeping the schema short.
    parameters: z.object({
      table: tableParam,
      filter: z.string().optional().describe('OData $filter.'),
      groupBy: z.array(z.string()).optional().describe('Fields; dates end in :year|:quarter|:month|:week|:day.'),
      aggregates: z
        .array(z.looseObject({ op: z.enum(AGGREGATE_OPS), field: z.string().optional(), as: z.string().optional() }))
        .optional()
        .describe('Default: one count'),
      top: z.number().optional().describe('Max groups, default 50'),
    }),
    outputSchema: aggregateOutputSchema,
    annotations: annotations('Aggregate records', READ_ANNOTATIONS),
  })
  async aggregateRecords(args: AggregateInput): Promise<CallToolResult> {
    const result = await this.aggregates.aggregate(args);
    const { columns, ...structured } = result;
    const n = result.groupCount;
    let summary = !n
      ? `No ${result.table} records matched.`
      : result.groups.length === 1 && !args.groupBy?.length
        ? `${result.table}:`
        : `${n} group${n === 1 ? '' : 's'} of ${result.table}${result.truncated ? `; the first ${result.groups.length} shown (raise top for more)` : ''}:`;
    if (n) summary += `\n${textTable(result, columns)}`;
    // The text is the table rather than a repeat of the JSON: every value of the groups is in it (lookups with
    // their ids), at a fraction of the characters; structuredContent carries the same groups as JSON.
    return { content: [{ type: 'text', text: summary }], structuredContent: structured };
  }
}

/** `ownerid | count` then one line per group: labels beside raw values, lookups as `name (id)`. */
export function textTable(result: AggregateResult, columns: string[]): string {
  const cell = (group: Record<string, unknown>, c: string): string => {
    const label = group[`${c}@label`];
    if (typeof label === 'string') return label;
    const v = group[c];
    if (v === null || v === undefined) return '(none)';
    if (typeof v === 'object') {
      const l = v as { id?: string; name?: string };
      return l.name ? `${l.name} (${l.id})` : (l.id ?? '');
    }
    return typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v);
  };
  return [columns.join(' | '), ...result.groups.map((g) => columns.map((c) => cell(g, c)).join(' | '))].join('\n');
}
