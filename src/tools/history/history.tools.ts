import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { HISTORY_DEFAULT_TOP, HISTORY_MAX_TOP, HistoryService } from '../../dataverse/history/history.service';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { idParam, tableParam } from '../surface/params';

export const historyOutputSchema = z.object({
  table: z.string(),
  id: z.string(),
  changes: z.array(z.looseObject({ fields: z.array(z.record(z.string(), z.unknown())) })),
  hasMore: z.boolean(),
  note: z.string().optional(),
});

@ToolClass('read')
export class HistoryTools {
  constructor(private readonly history: HistoryService) {}

  @Tool({
    name: 'get_record_history',
    description:
      "Who changed a record, when, and each field's old → new value (the audit history), newest first. " +
      'Values read like records: choice labels, lookup names, local times. ' +
      'Says so when auditing is off or you lack the privilege to read it.',
    parameters: z.object({
      table: tableParam,
      id: idParam,
      top: z.number().int().min(1).max(HISTORY_MAX_TOP).optional().describe(`Default ${HISTORY_DEFAULT_TOP}, max ${HISTORY_MAX_TOP}`),
    }),
    outputSchema: historyOutputSchema,
    annotations: annotations('Get record history', READ_ANNOTATIONS),
  })
  async getRecordHistory(args: { table: string; id: string; top?: number }): Promise<CallToolResult> {
    const result = await this.history.history(args.table, args.id, args.top);
    const n = result.changes.length;
    const summary = n
      ? `${n} change${n === 1 ? '' : 's'} of ${result.table} ${result.id}, newest first.${result.hasMore ? ' More exist: raise top.' : ''}${result.note ? ` ${result.note}` : ''}`
      : (result.note ?? 'No changes recorded.');
    return toolResult(summary, { ...result });
  }
}
