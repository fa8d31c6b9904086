import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import {
  DEFAULT_SEARCH_TOP,
  MAX_QUERY_CHARS,
  MAX_SEARCH_TABLES,
  MAX_SEARCH_TOP,
  SearchInput,
  SearchOutcome,
  SearchService,
} from '../../dataverse/search/search.service';
import { annotations, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

export const SEARCH_TOOL_DESCRIPTION =
  'Finds records by text across tables in one call (Dataverse search; relevance order). ' +
  'Each result has table and id for get_record; use list_records for exact filters. When search is off it falls back to a name search and says so.';

export const searchParameters = z.object({
  query: z.string().max(400).describe(`Text to find (max ${MAX_QUERY_CHARS}); * prefix, "phrase"`),
  tables: z.array(z.string().max(128)).max(MAX_SEARCH_TABLES).optional().describe('Logical names; default all searchable'),
  top: z.number().int().min(1).max(MAX_SEARCH_TOP).optional().describe(`Default ${DEFAULT_SEARCH_TOP}`),
});

export const searchOutputSchema = z.object({
  results: z.array(z.looseObject({ table: z.string(), id: z.string() })),
  totalCount: z.number().int().optional(),
  truncated: z.boolean().optional(),
  fallback: z.record(z.string(), z.unknown()).optional(),
});

@ToolClass('read')
export class SearchTools {
  constructor(private readonly search: SearchService) {}

  @Tool({
    name: 'search_records',
    description: SEARCH_TOOL_DESCRIPTION,
    parameters: searchParameters,
    outputSchema: searchOutputSchema,
    annotations: annotations('Search records', READ_ANNOTATIONS),
  })
  async searchRecords(args: SearchInput): Promise<CallToolResult> {
    const outcome = await this.search.search(args);
    return toolResult(summarize(outcome, args.query.trim()), { ...outcome });
  }
}

function summarize(outcome: SearchOutcome, query: string): string {
  const n = outcome.results.length;
  const found = n
    ? `${n} result${n === 1 ? '' : 's'} for "${query}"` +
      (outcome.totalCount !== undefined && outcome.totalCount > n ? ` of ${outcome.totalCount}` : '') +
      '.'
    : `Nothing matched "${query}".`;
  const cut = outcome.truncated ? ' Later results were left out to keep the answer small: lower top or narrow tables.' : '';
  if (!outcome.fallback) return found + cut;
  return (
    `Dataverse search is off in this environment: this is a fallback that searched only the primary name ` +
    `of ${outcome.fallback.tables.join(', ') || 'no tables'}. ${found}${cut}` +
    (outcome.fallback.skipped?.length ? ` Skipped (no primary name): ${outcome.fallback.skipped.join(', ')}.` : '')
  );
}

export const SEARCH_TOOLS = [SearchTools];
