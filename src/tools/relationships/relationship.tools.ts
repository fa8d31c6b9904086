import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { LinkOutcome, MAX_RELATED_IDS, RelationshipsService } from '../../dataverse/relationships/relationships.service';
import { annotations } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { idParam, tableParam } from '../surface/params';

const linkParams = z.object({
  table: tableParam,
  id: idParam,
  relationship: z.string().max(128).describe('Schema name or navigation; see get_table_schema.'),
  relatedTable: z.string().max(128).describe('Table of relatedIds.'),
  relatedIds: z.array(z.string().max(40)).min(1).max(MAX_RELATED_IDS).describe('Their ids'),
});

const linkOutput = z.object({
  table: z.string(),
  id: z.string(),
  relationship: z.string(),
  relatedIds: z.array(z.string()),
});

type LinkArgs = z.infer<typeof linkParams>;

const ASSOCIATE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
const DISASSOCIATE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true } as const;

function said(verb: string, r: LinkOutcome): string {
  return `${verb} ${r.relatedIds.length} record${r.relatedIds.length === 1 ? '' : 's'} ${verb === 'Linked' ? 'to' : 'from'} ${r.table} ${r.id} through ${r.relationship}.`;
}

@ToolClass('update')
export class RelationshipTools {
  constructor(private readonly relationships: RelationshipsService) {}

  @Tool({
    name: 'associate_records',
    description: 'Links record (table, id) to relatedIds via an N:N or 1:N relationship.',
    parameters: linkParams,
    outputSchema: linkOutput,
    annotations: annotations('Associate records', ASSOCIATE_ANNOTATIONS),
  })
  async associateRecords(args: LinkArgs): Promise<CallToolResult> {
    const r = await this.relationships.link('associate', args);
    return toolResult(said('Linked', r), { ...r });
  }

  @Tool({
    name: 'disassociate_records',
    description: 'Unlinks (table, id) from relatedIds; the records stay. Ask the user first.',
    parameters: linkParams,
    outputSchema: linkOutput,
    annotations: annotations('Disassociate records', DISASSOCIATE_ANNOTATIONS),
  })
  async disassociateRecords(args: LinkArgs): Promise<CallToolResult> {
    const r = await this.relationships.link('disassociate', args);
    return toolResult(said('Unlinked', r), { ...r });
  }
}

/** Hidden when DATAVERSE_READ_ONLY is true. */
export const RELATIONSHIP_TOOLS = [RelationshipTools];
