import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { AggregateInput, AggregateResult, AggregateService, MAX_GROUPS } from '../../dataverse/query/aggregate.service';
import { AGGREGATE_OPS, MAX_AGGREGATES, MAX_GROUP_BY } from '../../dataverse/query/aggregate-plan';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { ToolClass } from '../tool-class.decorator';

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
    description:
      'Counts, sums, averages, min/max of one table in one call, optionally per group, largest first. ' +
      'Lookup groups come as {id,table,name}, choices with "@label". ' +
      'E.g. open opportunities per owner with revenue: filter "statecode eq 0", groupBy ["ownerid"], ' +
      'aggregates [{"op":"count"},{"op":"sum","field":"estimatedvalue"}].',
    parameters: z.object({
      table: z.string().min(1).max(128).describe('Table logical or entity set name.'),
      filter: z.string().max(4000).optional().describe('OData $filter, as in list_records.'),
      groupBy: z.array(z.string().max(140)).max(MAX_GROUP_BY).optional().describe('Fields; dates need :year|:quarter|:month|:week|:day.'),
      aggregates: z
        .array(z.object({ op: z.enum(AGGREGATE_OPS), field: z.string().max(130).optional(), as: z.string().max(50).optional() }))
        .max(MAX_AGGREGATES)
        .optional()
        .describe('Default [{"op":"count"}]; sum/avg need a number field.'),
      top: z.number().int().min(1).max(MAX_GROUPS).optional().describe('Most groups (default 50).'),
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
    return { content: [{ type: 'text', text: summary }], structuredContent: structured };
  }
}

/** `ownerid | count` then one line per group: names and labels rather than ids and numbers. */
export function textTable(result: AggregateResult, columns: string[]): string {
  const cell = (group: Record<string, unknown>, c: string): string => {
    const label = group[`${c}@label`];
    if (typeof label === 'string') return label;
    const v = group[c];
    if (v === null || v === undefined) return '(none)';
    if (typeof v === 'object') {
      const l = v as { id?: string; name?: string };
      return l.name ?? l.id ?? '';
    }
    return typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v);
  };
  return [columns.join(' | '), ...result.groups.map((g) => columns.map((c) => cell(g, c)).join(' | '))].join('\n');
}
