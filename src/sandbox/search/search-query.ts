import { ApiError, Errors } from '../errors';
import { ApiContext, ApiResult } from '../handlers/context';
import { compileRecordFilter } from '../handlers/record-query';
import { Predicate } from '../odata/filter-parser';
import { Rec } from '../store';
import { excludedBy, highlight, parseQuery, scoreValue } from './scoring';
import { IndexedTable, indexedTables, SearchSettings } from './search-index';

/**
 * Dataverse search over the emulator's own data: `POST searchquery` and `GET searchstatus`, answering
 * in the documented shapes (the result is an escaped JSON string in `response`), and the documented
 * error when search is turned off for the organization.
 */

export const SEARCH_DISABLED = { code: '0x80048d0b', message: 'Dataverse Search feature is disabled for this organization.' };
const MAX_SEARCH = 100;
const MAX_TOP = 100;
const DEFAULT_TOP = 50;

interface Scope {
  table: IndexedTable;
  select: string[];
  searchColumns: string[];
  filter?: Predicate;
}

/** Routes the two search endpoints; undefined for any other segment. */
export function routeSearch(ctx: ApiContext, settings: SearchSettings, method: string, name: string, body: unknown): ApiResult | undefined {
  if (name === 'searchquery') {
    if (method !== 'POST') throw Errors.methodNotAllowed(method);
    if (!settings.enabled) throw new ApiError(400, SEARCH_DISABLED.code, SEARCH_DISABLED.message);
    return searchQuery(ctx, body);
  }
  if (name === 'searchstatus') {
    if (method !== 'GET') throw Errors.methodNotAllowed(method);
    return searchStatus(ctx, settings);
  }
  return undefined;
}

function searchStatus(ctx: ApiContext, settings: SearchSettings): ApiResult {
  const tables = settings.enabled ? indexedTables(ctx.model) : [];
  const value = {
    status: settings.enabled ? 'provisioned' : 'notprovisioned',
    lockboxstatus: 'Disabled',
    cmkstatus: 'Disabled',
    entitystatusresults: tables.map((t) => ({
      entitylogicalname: t.em.def.logicalName,
      objecttypecode: t.em.def.objectTypeCode,
      primarynamefield: t.primaryName,
      entitystatus: 'EntitySyncComplete',
      searchableindexedfieldinfomap: Object.fromEntries(t.columns.map((c) => [c, { indexfieldname: c }])),
    })),
    manytomanyrelationshipsyncstatus: [],
  };
  return {
    status: 200,
    body: { '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.searchstatusResponse`, response: JSON.stringify({ value }) },
  };
}

function searchQuery(ctx: ApiContext, body: unknown): ApiResult {
  const b = (body ?? {}) as Record<string, unknown>;
  const search = b.search;
  if (typeof search !== 'string' || !search.trim() || search.length > MAX_SEARCH) {
    throw Errors.badRequest(`The search parameter must be between 1 and ${MAX_SEARCH} characters long.`);
  }
  const top = b.top === undefined ? DEFAULT_TOP : Number(b.top);
  const skip = b.skip === undefined ? 0 : Number(b.skip);
  if (!Number.isInteger(top) || top < 0 || top > MAX_TOP) throw Errors.badRequest(`The top parameter must be between 0 and ${MAX_TOP}.`);
  if (!Number.isInteger(skip) || skip < 0) throw Errors.badRequest('The skip parameter must be a non-negative integer.');
  const scopes = parseEntities(ctx, b.entities);
  const q = parseQuery(search);

  const hits: Array<{ scope: Scope; rec: Rec; score: number }> = [];
  for (const scope of scopes) {
    const { em, primaryName } = scope.table;
    for (const rec of ctx.store.rowsByKey(em.def.logicalName)) {
      if (scope.filter && !scope.filter(rec)) continue;
      let score = 0;
      let excluded = false;
      for (const col of scope.searchColumns) {
        const v = rec[col];
        if (typeof v !== 'string' || !v) continue;
        if (excludedBy(v, q)) excluded = true;
        score += scoreValue(v, q) * (col === primaryName ? 2 : 1);
      }
      if (score > 0 && !excluded) hits.push({ scope, rec, score });
    }
  }
  hits.sort(
    (a, b) =>
      b.score - a.score ||
      a.scope.table.em.def.logicalName.localeCompare(b.scope.table.em.def.logicalName) ||
      String(a.rec[a.scope.table.em.def.primaryIdAttribute]).localeCompare(String(b.rec[b.scope.table.em.def.primaryIdAttribute])),
  );
  const page = hits.slice(skip, skip + top);
  const value = page.map(({ scope, rec, score }) => {
    const def = scope.table.em.def;
    const attributes: Record<string, unknown> = { '@search.objecttypecode': def.objectTypeCode };
    for (const c of scope.select) attributes[c] = rec[c] ?? null;
    const highlights: Record<string, string[]> = {};
    for (const col of scope.searchColumns) {
      const v = rec[col];
      if (typeof v === 'string' && scoreValue(v, q) > 0) highlights[col] = [highlight(v, q)];
    }
    return {
      Id: rec[def.primaryIdAttribute],
      EntityName: def.logicalName,
      ObjectTypeCode: def.objectTypeCode,
      Attributes: attributes,
      Highlights: highlights,
      Score: Math.round(score * 100) / 100,
    };
  });
  const response = { Error: null, Value: value, Facets: {}, QueryContext: null, Count: b.count === true ? hits.length : -1 };
  return {
    status: 200,
    body: { '@odata.context': `${ctx.apiUrl}$metadata#Microsoft.Dynamics.CRM.searchqueryResponse`, response: JSON.stringify(response) },
  };
}

/** `entities` (a JSON string): which tables, and per table its select/search columns and filter. */
function parseEntities(ctx: ApiContext, raw: unknown): Scope[] {
  const indexed = indexedTables(ctx.model);
  if (raw === undefined || raw === null || raw === '') {
    return indexed.map((t) => ({ table: t, select: t.columns, searchColumns: t.columns }));
  }
  let items: unknown;
  try {
    items = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw Errors.badRequest('The entities parameter is not valid JSON.');
  }
  if (!Array.isArray(items)) throw Errors.badRequest('The entities parameter must be a JSON array.');
  return items.map((item) => {
    const e = lowerKeys(item);
    const name = typeof e.name === 'string' ? e.name.toLowerCase() : '';
    const table = indexed.find((t) => t.em.def.logicalName === name);
    if (!table) throw Errors.badRequest(`Entity '${name}' is not enabled for Dataverse search.`);
    const select = columnList(e.selectcolumns, table, 'SelectColumns', false) ?? [table.primaryName];
    const searchColumns = columnList(e.searchcolumns, table, 'SearchColumns', true) ?? [table.primaryName];
    const filter = typeof e.filter === 'string' && e.filter.trim() ? compileRecordFilter(ctx, table.em, e.filter) : undefined;
    return { table, select, searchColumns, filter };
  });
}

function columnList(raw: unknown, table: IndexedTable, what: string, indexedOnly: boolean): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.some((c) => typeof c !== 'string')) throw Errors.badRequest(`${what} must be an array of column names.`);
  const columns = (raw as string[]).map((c) => c.toLowerCase());
  for (const c of columns) {
    const known = indexedOnly ? table.columns.includes(c) || c === table.primaryName : table.em.props.has(c);
    if (!known) throw Errors.badRequest(`Column '${c}' of ${what} is not searchable on entity '${table.em.def.logicalName}'.`);
  }
  return columns.length ? [...new Set(columns)] : undefined;
}

function lowerKeys(item: unknown): Record<string, unknown> {
  if (!item || typeof item !== 'object') throw Errors.badRequest('Each item of entities must be an object with a name.');
  return Object.fromEntries(Object.entries(item as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
}
