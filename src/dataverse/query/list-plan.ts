import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ToolError } from '../../common/tool-error';
import type { MetadataService, TableInfo } from '../metadata/metadata.service';
import { buildQuery, parseFieldList, parseOrderBy, validateFilter } from '../client/odata';
import type { TableSchema } from '../metadata/schema-format';
import { MAX_SELECT_FIELDS } from '../records/paging/cursor-state';
import { resolveFieldNames, resolveOrderBy } from './columns';
import { checkFetchXml, FETCHXML_LIMITS } from './fetchxml-check';
import { checkFilter } from './filter-check';
import type { ViewsService } from './views.service';
import { parseXml, serializeXml, XmlElement } from './xml';
import { viewWithinScope } from '../scope/cursor-scope';
import { regardingAttribute } from '../scope/notes-scope';

/** What list_records and get_record read: `select` as given, `*` for every field, or the default view's columns. */
export type Columns = { kind: 'all' } | { kind: 'given'; fields: string[] } | { kind: 'view'; fields: string[] };

export function isStar(select: string | string[] | undefined): boolean {
  if (select === undefined || (typeof select === 'string' && !select.includes('*'))) return false;
  const parts = Array.isArray(select) ? select : select?.split(',');
  return (
    !!parts &&
    parts
      .map((p) => String(p).trim())
      .filter(Boolean)
      .join(',') === '*'
  );
}

/**
 * Columns to read. Without select: the default public view's layout columns plus the primary id and name
 * (what a user sees in the app); `*`: every field with a value (no $select).
 */
export async function chooseColumns(
  table: TableInfo,
  select: string | string[] | undefined,
  metadata: MetadataService,
  views: ViewsService,
): Promise<Columns> {
  if (isStar(select)) return { kind: 'all' };
  const given = parseFieldList(select);
  const schema = await metadata.schemaOf(table);
  if (given && given.length > MAX_SELECT_FIELDS) {
    throw new ToolError('invalid_input', `select names ${given.length} fields; at most ${MAX_SELECT_FIELDS} are accepted.`);
  }
  if (given) return { kind: 'given', fields: resolveFieldNames(given, schema, 'select') };
  const cells = await views.defaultColumns(table);
  if (!cells) return { kind: 'all' };
  const known = new Set(schema.fields.map((f) => f.name));
  const names = [schema.primaryIdAttribute, ...(schema.primaryNameAttribute ? [schema.primaryNameAttribute] : []), ...cells].filter((c) =>
    known.has(c),
  );
  return { kind: 'view', fields: resolveFieldNames([...new Set(names)], schema, 'select') };
}

/** The OData query of a list_records call, every name checked against the schema first. */
export async function odataQuery(
  table: TableInfo,
  input: { filter?: string; orderby?: string },
  columns: Columns,
  metadata: MetadataService,
): Promise<string> {
  const filter = validateFilter(input.filter);
  const orderby = parseOrderBy(input.orderby);
  let checkedOrder = orderby;
  if (filter || orderby) {
    const schema = await metadata.schemaOf(table);
    if (filter) checkFilter(filter, { schema, primaryNames: await primaryNamesOf(schema, metadata) });
    if (orderby) checkedOrder = resolveOrderBy(orderby, schema);
  }
  return buildQuery({
    $select: columns.kind === 'all' ? undefined : columns.fields.join(','),
    $filter: filter,
    $orderby: checkedOrder,
  });
}

/** Primary name attribute of every lookup target of the table (for "filter through the navigation property" hints). */
export async function primaryNamesOf(schema: TableSchema, metadata: MetadataService): Promise<ReadonlyMap<string, string | undefined>> {
  const list = await metadata.listTables();
  const known = primaryNames.get(schema);
  if (known?.list === list) return known.names;
  const tables = new Map(list.map((t) => [t.logicalName, t.primaryNameAttribute]));
  const names = new Map<string, string | undefined>();
  for (const f of schema.fields) for (const t of Object.keys(f.to ?? {})) names.set(t, tables.get(t));
  // Kept while the schema and the table list are the same objects (the cache hands out shared, frozen ones).
  primaryNames.set(schema, { list, names });
  return names;
}

const primaryNames = new WeakMap<TableSchema, { list: unknown; names: ReadonlyMap<string, string | undefined> }>();

/** The FetchXML of a `fetchXml` or `view` call, checked (user FetchXML) or trusted (a view's own). */
export async function fetchOf(
  table: TableInfo,
  input: { fetchXml?: string; view?: string; filter?: string; select?: unknown; orderby?: string },
  metadata: MetadataService,
  views: ViewsService,
): Promise<XmlElement> {
  const which = input.fetchXml !== undefined ? 'fetchXml' : 'view';
  const others: string[] = which === 'fetchXml' ? ['filter', 'select', 'orderby', 'view'] : ['filter', 'select', 'orderby'];
  const clash = others.filter((k) => input[k as keyof typeof input] !== undefined);
  if (clash.length) {
    const fix =
      which === 'fetchXml'
        ? 'put conditions, columns and order inside the FetchXML, or leave fetchXml out.'
        : 'a view brings its own conditions, columns and order; leave view out to use OData options.';
    throw new ToolError('invalid_input', `${which} cannot be combined with ${clash.join(', ')}: ${fix}`);
  }
  const schema = await metadata.schemaOf(table);
  if (input.fetchXml !== undefined) {
    const checked = await checkFetchXml(input.fetchXml, schema, (t) => metadata.getSchema(t));
    return regardingAttribute(table.logicalName, checked.root, metadata.scope);
  }
  const view = await views.resolve(table, input.view ?? '');
  if (!view.fetchXml) throw new ToolError('invalid_input', `The view "${view.name}" has no query to run.`);
  const root = parseXml(view.fetchXml, FETCHXML_LIMITS, `the FetchXML of view "${view.name}"`);
  for (const a of ['top', 'count', 'page', 'paging-cookie']) delete root.attrs[a];
  // A view may link tables outside the table scope: dropped when it only adds columns, refused otherwise.
  return regardingAttribute(table.logicalName, viewWithinScope(root, metadata.scope), metadata.scope);
}

/** FetchXML inside a cursor: deflated, base64url. */
export function packXml(fetch: XmlElement): string {
  return deflateRawSync(Buffer.from(serializeXml(fetch))).toString('base64url');
}

export function unpackXml(packed: string): XmlElement {
  const text = inflateRawSync(Buffer.from(packed, 'base64url'), { maxOutputLength: FETCHXML_LIMITS.maxLength * 2 }).toString('utf8');
  return parseXml(text, { ...FETCHXML_LIMITS, maxLength: FETCHXML_LIMITS.maxLength * 2 });
}
