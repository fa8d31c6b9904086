import { ToolError } from '../../common/tool-error';
import { truncate } from '../client/odata';

/**
 * Reading what Dataverse search answers. `searchquery` and `searchstatus` wrap their result in a
 * `response` property holding an escaped JSON string; these functions parse it into small shapes.
 */

/** One hit as the tool returns it: enough for get_record (table + id), best first. */
export interface SearchHit {
  table: string;
  id: string;
  name?: string;
  score: number;
  /** Field → matching text, `{crmhit}` markers turned into **bold**. */
  highlights?: Record<string, string>;
  /** Other columns the service returned. */
  fields?: Record<string, unknown>;
}

/** A table's primary name and primary id fields. */
export interface TableKeys {
  name?: string;
  id?: string;
}

export interface ParsedSearch {
  hits: SearchHit[];
  /** Total matches when the service counted them (`Count` is -1 otherwise). */
  totalCount?: number;
}

/** Per table: its primary name field and the fields the search index covers. */
export interface SearchableTable {
  logicalName: string;
  primaryName?: string;
  searchColumns: string[];
}

export interface SearchStatus {
  /** `provisioned` when search works; `notprovisioned`, `provisioning`, ... otherwise. */
  status: string;
  tables: Map<string, SearchableTable>;
}

interface RawHit {
  Id?: string;
  EntityName?: string;
  Attributes?: Record<string, unknown>;
  Highlights?: Record<string, unknown>;
  Score?: number;
}

export const MAX_HIGHLIGHT_FIELDS = 3;
export const MAX_HIGHLIGHT_CHARS = 160;
export const MAX_RESULT_FIELDS = 6;
const MAX_FIELD_CHARS = 200;

/** The `response` string of a service answer, parsed; a broken one is an error that says so. */
export function innerResponse(body: unknown, what: string): Record<string, unknown> {
  const raw = (body as { response?: unknown } | undefined)?.response;
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed || typeof parsed !== 'object') {
    throw new ToolError('unavailable', `Dataverse answered ${what} with a response this server cannot read; try again later.`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * `searchquery` → hits. `keys` gives each table's primary name and id fields, so `name` is the record's
 * name whatever the table; the id and name fields are not repeated under `fields`.
 */
export function parseSearchResponse(body: unknown, keys: ReadonlyMap<string, TableKeys>): ParsedSearch {
  const inner = innerResponse(body, 'the search');
  const error = inner.Error as { Message?: string; message?: string } | null | undefined;
  if (error) {
    const message = error.Message ?? error.message ?? JSON.stringify(error);
    throw new ToolError('invalid_input', `Dataverse search reported an error: ${truncate(String(message), 300)}`);
  }
  const values = Array.isArray(inner.Value) ? (inner.Value as RawHit[]) : [];
  const hits: SearchHit[] = [];
  for (const v of values) {
    if (typeof v?.Id !== 'string' || typeof v.EntityName !== 'string') continue;
    const table = v.EntityName;
    const attributes = v.Attributes ?? {};
    const { name: nameField, id: idField = `${table}id` } = keys.get(table) ?? {};
    const name = nameField !== undefined ? attributes[nameField] : undefined;
    const hit: SearchHit = { table, id: v.Id.toLowerCase(), score: round(v.Score ?? 0) };
    if (typeof name === 'string') hit.name = name;
    const highlights = readableHighlights(v.Highlights);
    if (highlights) hit.highlights = highlights;
    const fields = otherFields(attributes, new Set([nameField, idField]));
    if (fields) hit.fields = fields;
    hits.push(hit);
  }
  hits.sort((a, b) => b.score - a.score);
  const count = typeof inner.Count === 'number' && inner.Count >= 0 ? inner.Count : undefined;
  return { hits, ...(count !== undefined ? { totalCount: count } : {}) };
}

/** `{crmhit}Contoso{/crmhit} Ltd` → `**Contoso** Ltd`; at most a few fields, each capped. */
export function readableHighlights(raw: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const [field, fragments] of Object.entries(raw)) {
    if (n >= MAX_HIGHLIGHT_FIELDS) break;
    const list = (Array.isArray(fragments) ? fragments : [fragments]).filter((f): f is string => typeof f === 'string');
    if (!list.length) continue;
    out[field] = capHighlight(list.map(markersToBold).join(' … '));
    n++;
  }
  return n ? out : undefined;
}

export function markersToBold(fragment: string): string {
  return fragment.replace(/\{crmhit\}/g, '**').replace(/\{\/crmhit\}/g, '**');
}

/** Cuts a highlight without leaving a `**` open. */
function capHighlight(text: string): string {
  if (text.length <= MAX_HIGHLIGHT_CHARS) return text;
  let cut = text.slice(0, MAX_HIGHLIGHT_CHARS - 1);
  if ((cut.match(/\*\*/g) ?? []).length % 2) cut += '**';
  return `${cut}…`;
}

function otherFields(attributes: Record<string, unknown>, skip: Set<string | undefined>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('@') || key.includes('@') || skip.has(key) || value === null || value === undefined || value === '') continue;
    if (n >= MAX_RESULT_FIELDS) break;
    out[key] = typeof value === 'string' ? truncate(value, MAX_FIELD_CHARS) : value;
    n++;
  }
  return n ? out : undefined;
}

/** `searchstatus` → status and the searchable tables with their indexed fields. */
export function parseSearchStatus(body: unknown): SearchStatus {
  const inner = innerResponse(body, 'the search status request');
  const value = (inner.value ?? inner.Value ?? inner) as { status?: string; entitystatusresults?: unknown[] };
  const tables = new Map<string, SearchableTable>();
  for (const e of value.entitystatusresults ?? []) {
    const r = e as { entitylogicalname?: string; primarynamefield?: string; searchableindexedfieldinfomap?: Record<string, unknown> };
    if (typeof r.entitylogicalname !== 'string') continue;
    tables.set(r.entitylogicalname, {
      logicalName: r.entitylogicalname,
      primaryName: r.primarynamefield || undefined,
      searchColumns: Object.keys(r.searchableindexedfieldinfomap ?? {}),
    });
  }
  return { status: String(value.status ?? 'unknown').toLowerCase(), tables };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
