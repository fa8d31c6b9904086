import { Errors } from '../errors';
import { EntityModel } from '../metadata/registry';
import { annotationFilter, QueryOptions } from '../odata/query';
import { ShapeContext, shapeRecord } from '../odata/format';
import { Rec } from '../store';
import { ApiContext, ApiResult } from './context';
import { compileExpands, compileRecordFilter, comparator, contextSuffix, sortRows, validateSelect } from './record-query';

/** GET collection (filter, order, paging with an opaque paging cookie), GET one, GET $count. */

const MAX_PAGE = 5000;

export function shapeContext(ctx: ApiContext): ShapeContext {
  return { model: ctx.model, store: ctx.store, ann: annotationFilter(ctx.prefer.annotations), timeZone: ctx.timeZone };
}

export function appliedPreferences(ctx: ApiContext, extra: string[] = []): Record<string, string> {
  const applied = [...extra];
  if (ctx.prefer.annotations) applied.push(`odata.include-annotations="${ctx.prefer.annotations}"`);
  return applied.length ? { 'Preference-Applied': applied.join(',') } : {};
}

const xmlEsc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const xmlUnesc = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

function cookieValue(v: unknown, pk: boolean): string {
  if (pk) return `{${String(v).toUpperCase()}}`;
  return xmlEsc(String(v));
}

/** Builds the $skiptoken value (unencoded) in the shape of Dataverse's paging cookie. */
function buildSkipToken(em: EntityModel, keys: { prop: string }[], first: Rec, last: Rec, page: number): string {
  const pkName = em.def.primaryIdAttribute;
  const parts = keys.map((k) => {
    const pk = k.prop === pkName;
    const attr = (v: unknown, which: string) => (v === null || v === undefined ? `${which}null="1"` : `${which}="${cookieValue(v, pk)}"`);
    return `<${k.prop} ${attr(last[k.prop], 'last')} ${attr(first[k.prop], 'first')} />`;
  });
  const inner = `<cookie page="${page}">${parts.join('')}</cookie>`;
  return `<cookie pagenumber="${page + 1}" pagingcookie="${lowerHex(encodeURIComponent(inner))}" istracking="False" />`;
}

function parseSkipToken(em: EntityModel, token: string): { page: number; last: Rec } {
  const bad = () => Errors.query('The $skiptoken value is not valid.');
  const m = /pagingcookie="([^"]*)"/.exec(token);
  const pn = /pagenumber="(\d+)"/.exec(token);
  if (!m || !pn) throw bad();
  let inner: string;
  try {
    inner = decodeURIComponent(m[1]);
  } catch {
    throw bad();
  }
  const last: Rec = {};
  const re = /<([A-Za-z0-9_]+) ([^<>]*?)\/>/g;
  let e: RegExpExecArray | null;
  while ((e = re.exec(inner))) {
    const prop = e[1];
    const a = em.props.get(prop);
    if (!a) throw bad();
    if (/lastnull="1"/.test(e[2])) {
      last[prop] = null;
      continue;
    }
    const v = /last="([^"]*)"/.exec(e[2]);
    if (!v) throw bad();
    const raw = xmlUnesc(v[1]);
    if (prop === em.def.primaryIdAttribute) last[prop] = raw.replace(/[{}]/g, '').toLowerCase();
    else if (['Integer', 'BigInt', 'Decimal', 'Double', 'Money', 'Picklist', 'State', 'Status'].includes(a.type)) last[prop] = Number(raw);
    else if (a.type === 'Boolean') last[prop] = raw === 'true';
    else last[prop] = raw;
  }
  if (!(em.def.primaryIdAttribute in last)) throw bad();
  return { page: Number(pn[1]), last };
}

export function listRecords(ctx: ApiContext, em: EntityModel, q: QueryOptions): ApiResult {
  const select = validateSelect(em, q.select);
  const expands = compileExpands(ctx, em, q.expand);
  const pred = compileRecordFilter(ctx, em, q.filter);
  const { compare, keys } = comparator(em, q.orderby);
  const base = ctx.store.rowsByKey(em.def.logicalName);
  const rows = sortRows(pred ? base.filter(pred) : base.slice(), keys);
  const total = rows.length;
  const pageSize = ctx.prefer.maxPageSize;
  let start = 0;
  let page = 1;
  if (q.skiptoken !== undefined) {
    const tok = parseSkipToken(em, q.skiptoken);
    page = tok.page;
    start = rows.findIndex((r) => compare(r, tok.last) > 0);
    if (start < 0) start = rows.length;
  }
  let size = pageSize ?? MAX_PAGE;
  if (!pageSize && q.top !== undefined) size = Math.min(q.top, MAX_PAGE);
  const pageRows = rows.slice(start, start + size);
  const more = start + size < rows.length && !(q.top !== undefined && !pageSize);
  const sc = shapeContext(ctx);
  const body: Rec = { '@odata.context': `${ctx.apiUrl}$metadata#${em.def.entitySetName}${contextSuffix(select, q.expand)}` };
  if (q.count) body['@odata.count'] = Math.min(total, MAX_PAGE);
  body.value = pageRows.map((r) => shapeRecord(em, r, select, sc, expands));
  if (more && pageRows.length) {
    const token = buildSkipToken(em, keys, pageRows[0], pageRows[pageRows.length - 1], page);
    const kept = ctx.rawQuery.split('&').filter((p) => p && !p.startsWith('$skiptoken=') && !p.startsWith('%24skiptoken='));
    kept.push(`$skiptoken=${encodeURIComponent(token).replace(/%3D/g, '=')}`);
    body['@odata.nextLink'] = `${ctx.apiUrl}${em.def.entitySetName}?${kept.join('&')}`;
  }
  const extra = pageSize ? [`odata.maxpagesize=${pageSize}`] : [];
  return { status: 200, body, headers: appliedPreferences(ctx, extra) };
}

export function getRecord(ctx: ApiContext, em: EntityModel, id: string, q: QueryOptions): ApiResult {
  if (q.filter !== undefined || q.orderby !== undefined || q.top !== undefined || q.skiptoken !== undefined) {
    throw Errors.query('The query options $filter, $orderby, $top and $skiptoken are not allowed when requesting a single record.');
  }
  const select = validateSelect(em, q.select);
  const expands = compileExpands(ctx, em, q.expand);
  const rec = ctx.store.get(em.def.logicalName, id);
  if (!rec) throw Errors.notFound(em.def.logicalName, id);
  const body = {
    '@odata.context': `${ctx.apiUrl}$metadata#${em.def.entitySetName}${contextSuffix(select, q.expand)}/$entity`,
    ...shapeRecord(em, rec, select, shapeContext(ctx), expands),
  };
  return {
    status: 200,
    body,
    headers: { ETag: String(rec.versionnumber !== undefined ? `W/"${rec.versionnumber}"` : ''), ...appliedPreferences(ctx) },
  };
}

export function countRecords(ctx: ApiContext, em: EntityModel): ApiResult {
  return { status: 200, text: String(Math.min(ctx.store.table(em.def.logicalName).size, MAX_PAGE)) };
}
