import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool } from '@rekog/mcp-nest/dist/mcp';
import { z } from 'zod';
import { Optional } from '@nestjs/common';
import { MetadataService } from '../../dataverse/metadata.service';
import { ViewsService } from '../../dataverse/query/views.service';
import { RelationshipsService } from '../../dataverse/relationships/relationships.service';
import { activityPartiesNote } from '../../dataverse/schema-format';
import { annotations, CACHE_REFRESH_ANNOTATIONS, READ_ANNOTATIONS } from '../annotations';
import { toolResult } from '../pipeline/tool-result';
import { ToolClass } from '../tool-class.decorator';

export const DEFAULT_TABLE_LIMIT = 50;
export const MAX_TABLE_LIMIT = 500;

const tableParam = z
  .string()
  .min(1)
  .max(128)
  .describe('Table logical name (e.g. "contact") or entity set name (e.g. "contacts"); list_tables shows both.');

export const listTablesOutputSchema = z.object({
  tables: z
    .array(
      z.object({
        logicalName: z.string().describe('Logical name: use it as `table` in the other tools.'),
        displayName: z.string().optional().describe('Display name shown to users.'),
        entitySetName: z.string().describe('Entity set name (plural), used in @odata.bind paths like /accounts(<id>).'),
        primaryNameAttribute: z.string().optional().describe("Field holding the record name, for filters like contains(<it>,'x')."),
        primaryIdAttribute: z.string().describe('Primary key field (the record id).'),
      }),
    )
    .describe('Matching tables, sorted by logical name.'),
  total: z.number().int().describe('How many tables matched before the limit.'),
  truncated: z.boolean().describe('True when more tables matched than the limit; narrow with filter or raise limit.'),
});

const fieldSchema = z.object({
  name: z.string().describe('Logical field name (use in select, filter, orderby and data).'),
  type: z
    .string()
    .describe(
      'string(N) / memo(N) (text up to N characters), int, bigint, decimal, float, money, bool, datetime, date (date only), choice, choices (multi-select), state, status, lookup, customer, owner, guid, ...',
    ),
  label: z.string().optional().describe('Display name, when it differs from the logical name.'),
  required: z
    .enum(['yes', 'recommended'])
    .optional()
    .describe('"yes": must be set when creating; "recommended": usually set. Absent: optional.'),
  createOnly: z.literal(true).optional().describe('Can be set on create but not changed by update.'),
  updateOnly: z.literal(true).optional().describe('Can be changed by update but not set on create.'),
  readOnly: z.literal(true).optional().describe('System-maintained; cannot be written (listed only with includeReadOnly).'),
  options: z
    .string()
    .optional()
    .describe('Choice values as "value=Label", separated by |; write the number. Status reasons show their state: "2=Inactive (state 1)".'),
  to: z.record(z.string(), z.string()).optional().describe('Lookup targets: target table → navigation property for "<nav>@odata.bind".'),
});

export const tableSchemaOutputSchema = z.object({
  logicalName: z.string().describe('Logical name of the table.'),
  entitySetName: z.string().describe('Entity set name (plural) of the table.'),
  displayName: z.string().optional().describe('Display name of the table.'),
  primaryIdAttribute: z.string().describe('Primary key field (the record id).'),
  primaryNameAttribute: z.string().optional().describe('Primary name field (what a record is called).'),
  fields: z.array(fieldSchema).describe('Fields sorted by name (primary id and name first). Writable fields only unless includeReadOnly.'),
  readOnlyOmitted: z.number().int().optional().describe('How many read-only fields were left out (pass includeReadOnly to see them).'),
  entitySets: z.record(z.string(), z.string()).optional().describe('Entity set name of each lookup target table, for @odata.bind paths.'),
  activityParties: z.string().optional().describe('Activity tables: how to write attendees, senders and recipients.'),
  views: z
    .array(z.object({ id: z.string(), name: z.string(), personal: z.literal(true).optional(), default: z.literal(true).optional() }))
    .optional()
    .describe('Public and personal views: list_records view = name or id.'),
  manyToMany: z
    .array(z.object({ name: z.string(), table: z.string() }))
    .optional()
    .describe('N:N relationships (name, other table), for associate_records.'),
});

export const refreshOutputSchema = z.object({
  refreshed: z
    .union([z.literal('all'), z.array(z.string())])
    .describe('"all", or the logical names of the tables whose schema was dropped. The table list is always dropped.'),
});

@ToolClass('read')
export class MetadataTools {
  constructor(
    private readonly metadata: MetadataService,
    private readonly views: ViewsService,
    @Optional() private readonly relationships?: RelationshipsService,
  ) {}

  @Tool({
    name: 'list_tables',
    description:
      'Lists the business tables of the Dataverse environment that the user can see: logical name, display name, entity set name and the primary name and id fields. ' +
      'Call it to find the right table name before get_table_schema or list_records (e.g. filter "opport" finds opportunity). ' +
      `Returns at most limit tables (default ${DEFAULT_TABLE_LIMIT}, max ${MAX_TABLE_LIMIT}); truncated says when more matched. Cached for 24 hours.`,
    parameters: z.object({
      filter: z
        .string()
        .max(100)
        .optional()
        .describe('Case-insensitive substring of the logical or display name, e.g. "account" or "sales".'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(MAX_TABLE_LIMIT)
        .optional()
        .describe(`Most tables to return (default ${DEFAULT_TABLE_LIMIT}, max ${MAX_TABLE_LIMIT}).`),
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
      'Returns the fields of one table: logical name, type, required level, whether it can be set on create/update, max text length, ' +
      'choice values with labels ("1=Preferred Customer": write the number), and for lookups the exact navigation property per target table. ' +
      'Set a lookup as "<nav>@odata.bind": "/<entity set>(<id>)", with <nav> from the field\'s "to" (case-sensitive) and the entity set from ' +
      'entitySets, e.g. "parentcustomerid_account@odata.bind": "/accounts(<id>)"; read and filter lookups as _<field>_value. ' +
      'Defaults are left out: a field is optional and writable on create and update unless it says otherwise; label only when it adds to the name. ' +
      'Call it before create_record or update_record, and when a filter or ' +
      'select names an unknown field. Read-only (system) fields are left out unless includeReadOnly is true (useful for filters on createdon etc.). ' +
      'Activity tables (appointment, email, task, phonecall): attendees, sender and recipients are activity parties, written as ' +
      '"<table>_activity_parties": [{"partyid_<party table>@odata.bind": "/<entity set>(<id>)", "participationtypemask": N}] with ' +
      'N 1=from, 2=to, 3=cc, 4=bcc, 5=required attendee, 6=optional attendee, 7=organizer, or in create_record as ' +
      '"parties": [{"role": "organizer"|"required"|"optional"|"from"|"to"|"cc"|"bcc", "table": "contact", "id": "<guid>"}]. Cached for 1 hour; ' +
      'call refresh_schema_cache after the table was customized.',
    parameters: z.object({
      table: tableParam,
      includeReadOnly: z
        .boolean()
        .optional()
        .describe('Also list read-only fields such as createdon, modifiedon, versionnumber (default false).'),
    }),
    outputSchema: tableSchemaOutputSchema,
    annotations: annotations('Get table schema', READ_ANNOTATIONS),
  })
  async getTableSchema(args: { table: string; includeReadOnly?: boolean }): Promise<CallToolResult> {
    // Views and N:N relationships need only the logical name: loaded in the schema's wave, not after it.
    const {
      schema,
      extra: [allViews, manyToMany],
    } = await this.metadata.getSchemaWith(args.table, (name) =>
      Promise.all([this.views.listOrNone({ logicalName: name }), this.manyToMany(name)]),
    );
    const views = allViews.map((v) => ({
      id: v.id,
      name: v.name,
      ...(v.personal ? { personal: v.personal } : {}),
      ...(v.default ? { default: v.default } : {}),
    }));
    const fields = args.includeReadOnly ? schema.fields : schema.fields.filter((f) => !f.readOnly);
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
      ...manyToMany,
    };
    const summary = `${fields.length} fields of ${schema.logicalName}` + (omitted ? `; ${omitted} read-only left out.` : '.');
    const fieldsJson = args.includeReadOnly ? schema.fieldsJson?.all : schema.fieldsJson?.writable;
    if (!fieldsJson) return toolResult(summary, structured);
    // The fields (most of the text) were rendered when the schema was loaded: only the rest is serialised per call.
    // Only scalars come before "fields", so its first match is the key itself (quotes inside strings are escaped).
    const json = JSON.stringify({ ...structured, fields: 0 }).replace('"fields":0', () => `"fields":${fieldsJson}`);
    return { content: [{ type: 'text', text: `${summary}\n${json}` }], structuredContent: structured };
  }

  /** The table's N:N relationships, when they can be read (a failure leaves them out rather than the schema). */
  private async manyToMany(table: string): Promise<{ manyToMany?: Array<{ name: string; table: string }> }> {
    const rels = await this.relationships?.ofLogicalName(table).catch(() => undefined);
    const nn = (rels ?? []).filter((r) => r.kind === 'N:N').map((r) => ({ name: r.name, table: r.table }));
    return nn.length ? { manyToMany: nn } : {};
  }

  @Tool({
    name: 'refresh_schema_cache',
    description:
      'Drops the cached schema of one table (or of all tables when table is omitted) and the cached table list, so the next ' +
      'get_table_schema or list_tables reads fresh metadata from Dataverse. Use it after a table or field was added or changed. ' +
      'Changes no data.',
    parameters: z.object({
      table: tableParam.optional().describe('Table whose schema to drop (logical or entity set name); omit to drop all cached schemas.'),
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
