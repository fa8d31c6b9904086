import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { MetadataService } from '../../dataverse/metadata/metadata.service';
import { ViewInfo, ViewsService } from '../../dataverse/query/views.service';
import type { TableRelationship } from '../../dataverse/metadata/table-relationships';
import { activityPartiesNote, TableSchema } from '../../dataverse/metadata/schema-format';
import { annotations, CACHE_REFRESH_ANNOTATIONS, READ_ANNOTATIONS } from '../annotations';
import { reusableResult, toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';
import { row, tableParam } from '../surface/params';

export const DEFAULT_TABLE_LIMIT = 50;
export const MAX_TABLE_LIMIT = 500;

export const listTablesOutputSchema = z.object({
  tables: z.array(
    z.object({
      logicalName: z.string(),
      displayName: z.string().optional(),
      entitySetName: z.string(),
      primaryNameAttribute: z.string().optional(),
      primaryIdAttribute: z.string(),
    }),
  ),
  total: z.number().int(),
  truncated: z.boolean(),
});

export const tableSchemaOutputSchema = z.object({
  logicalName: z.string(),
  entitySetName: z.string(),
  displayName: z.string().optional(),
  primaryIdAttribute: z.string(),
  primaryNameAttribute: z.string().optional(),
  fields: z.array(z.looseObject({ name: z.string(), type: z.string() })),
  readOnlyOmitted: z.number().int().optional(),
  entitySets: z.record(z.string(), z.string()).optional(),
  activityParties: z.string().optional(),
  views: z.array(row).optional(),
  manyToMany: z.array(row).optional(),
});

export const refreshOutputSchema = z.object({ refreshed: z.union([z.literal('all'), z.array(z.string())]) });

/** The same cached entries in the same order (the lists are new arrays of the cache's objects on every read). */
function sameItems<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface SchemaAnswer {
  views: ViewInfo[];
  result: CallToolResult;
}

@ToolClass('read')
export class MetadataTools {
  /** The last get_table_schema answer per cached schema object, with and without read-only fields. */
  private readonly answers = new WeakMap<TableSchema, { all?: SchemaAnswer; writable?: SchemaAnswer }>();

  constructor(
    private readonly metadata: MetadataService,
    private readonly views: ViewsService,
  ) {}

  @Tool({
    name: 'list_tables',
    description:
      'Finds tables: logical, display and entity set names, primary id and name fields; filter "opport" finds opportunity. ' +
      `At most limit (default ${DEFAULT_TABLE_LIMIT}); truncated says when more matched.`,
    parameters: z.object({
      filter: z.string().max(100).optional().describe('Part of a logical or display name'),
      limit: z.number().int().min(1).max(MAX_TABLE_LIMIT).optional().describe(`Max ${MAX_TABLE_LIMIT}`),
    }),
    outputSchema: listTablesOutputSchema,
    annotations: annotations('List tables', READ_ANNOTATIONS),
  })
  async listTables(args: { filter?: string; limit?: number }): Promise<CallToolResult> {
    const all = await this.metadata.listTables();
    const q = args.filter?.trim().toLowerCase();
    const matched = q
      ? all.filter(
          (t) => t.logicalName.includes(q) || t.entitySetName.toLowerCase().includes(q) || t.displayName?.toLowerCase().includes(q),
        )
      : all;
    const limit = args.limit ?? DEFAULT_TABLE_LIMIT;
    const tables = matched.slice(0, limit).map((t) => ({
      logicalName: t.logicalName,
      displayName: t.displayName,
      entitySetName: t.entitySetName,
      primaryNameAttribute: t.primaryNameAttribute,
      primaryIdAttribute: t.primaryIdAttribute,
    }));
    const summary = !matched.length
      ? `No tables match "${args.filter}". Try a shorter filter, or none.`
      : `${matched.length} table${matched.length === 1 ? '' : 's'}${q ? ` matching "${args.filter}"` : ''}` +
        (matched.length > limit ? `; showing the first ${limit} (narrow with filter or raise limit).` : '.');
    return toolResult(summary, { tables, total: matched.length, truncated: matched.length > limit });
  }

  @Tool({
    name: 'get_table_schema',
    description:
      'Fields of a table: name, type (string(N): at most N characters), required, createOnly/updateOnly, choice values ' +
      '("1=Email": write the number or the label), lookup targets; views and N:N relationships. Call it before writing. ' +
      'Read-only fields (createdon...) only with includeReadOnly. Cached 1 h.',
    parameters: z.object({
      table: tableParam,
      includeReadOnly: z.boolean().optional().describe('Also read-only fields'),
    }),
    outputSchema: tableSchemaOutputSchema,
    annotations: annotations('Get table schema', READ_ANNOTATIONS),
  })
  async getTableSchema(args: { table: string; includeReadOnly?: boolean }): Promise<CallToolResult> {
    // Views need only the logical name: loaded in the schema's wave, not after it. The relationships come with the schema.
    const { schema, extra: allViews } = await this.metadata.getSchemaWith(args.table, (name) =>
      this.views.listOrNone({ logicalName: name }),
    );
    // A failure to read them (a schema cached without them) leaves them out rather than the schema.
    const relationships = await this.metadata.relationshipsOf(schema).catch(() => undefined);
    // The memory cache hands out the same (frozen) objects until they change, relationships included: so does this,
    // and the answer's JSON is written once (reusableResult). In Redis mode every read is a new object and the answer
    // is built again.
    const key = args.includeReadOnly ? 'all' : 'writable';
    const memo = this.answers.get(schema)?.[key];
    if (memo && sameItems(memo.views, allViews)) return memo.result;
    const result = reusableResult(this.schemaAnswer(schema, allViews, relationships, !!args.includeReadOnly));
    this.answers.set(schema, { ...this.answers.get(schema), [key]: { views: allViews, result } });
    return result;
  }

  private schemaAnswer(schema: TableSchema, allViews: ViewInfo[], rels: TableRelationship[] | undefined, readOnly: boolean) {
    const views = allViews.map((v) => ({
      id: v.id,
      name: v.name,
      ...(v.personal ? { personal: v.personal } : {}),
      ...(v.default ? { default: v.default } : {}),
    }));
    // A failure to read the N:N relationships leaves them out rather than the schema.
    const nn = (rels ?? []).filter((r) => r.kind === 'N:N').map((r) => ({ name: r.name, table: r.table }));
    const fields = readOnly ? schema.fields : schema.fields.filter((f) => !f.readOnly);
    const omitted = schema.fields.length - fields.length;
    const hasLookups = fields.some((f) => f.to);
    const targets = new Set(fields.flatMap((f) => Object.keys(f.to ?? {})));
    const entitySets = Object.fromEntries(Object.entries(schema.entitySets).filter(([t]) => targets.has(t)));
    const structured = {
      logicalName: schema.logicalName,
      entitySetName: schema.entitySetName,
      displayName: schema.displayName,
      primaryIdAttribute: schema.primaryIdAttribute,
      primaryNameAttribute: schema.primaryNameAttribute,
      fields,
      ...(omitted ? { readOnlyOmitted: omitted } : {}),
      ...(hasLookups ? { entitySets } : {}),
      ...(schema.isActivity ? { activityParties: activityPartiesNote(schema.logicalName) } : {}),
      ...(views.length ? { views } : {}),
      ...(nn.length ? { manyToMany: nn } : {}),
    };
    const summary = `${fields.length} fields of ${schema.logicalName}` + (omitted ? `; ${omitted} read-only left out.` : '.');
    const fieldsJson = readOnly ? schema.fieldsJson?.all : schema.fieldsJson?.writable;
    if (!fieldsJson) return toolResult(summary, structured);
    // The fields (most of the text) were rendered when the schema was loaded: only the rest is serialised here.
    // Only scalars come before "fields", so its first match is the key itself (quotes inside strings are escaped).
    const json = JSON.stringify({ ...structured, fields: 0 }).replace('"fields":0', () => `"fields":${fieldsJson}`);
    return { content: [{ type: 'text' as const, text: `${summary}\n${json}` }], structuredContent: structured };
  }

  @Tool({
    name: 'refresh_schema_cache',
    description:
      'Drops cached table schemas (one table, or all) and the table list, after a table or field was customized. Changes no data.',
    parameters: z.object({
      table: tableParam.optional().describe('Table; omit for all'),
    }),
    outputSchema: refreshOutputSchema,
    annotations: annotations('Refresh schema cache', CACHE_REFRESH_ANNOTATIONS),
  })
  async refreshSchemaCache(args: { table?: string }): Promise<CallToolResult> {
    const { tables } = await this.metadata.refresh(args.table);
    const summary =
      tables === 'all'
        ? 'Dropped every cached table schema and the table list.'
        : `Dropped the cached schema of ${tables.join(', ')} and the table list.`;
    return toolResult(summary, { refreshed: tables });
  }
}
