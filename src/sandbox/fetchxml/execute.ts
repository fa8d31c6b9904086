import { AggSpec, DEFAULT_AGGREGATE_LIMIT, GroupKey, aggregateRows } from '../apply/groups';
import { ApiContext, ApiResult } from '../handlers/context';
import { appliedPreferences, shapeContext } from '../handlers/record-read';
import { AttrDef } from '../metadata/model';
import { EntityModel, isLookup, propName } from '../metadata/registry';
import { FV, LLN, NAV, ShapeContext, etag, formattedValue, primaryName } from '../odata/format';
import { LOOKUP_TYPE, Rec } from '../store';
import { Row, RowPredicate, compileFilter } from './conditions';
import { FetchNode, FetchQuery, fetchError, parseFetch } from './parse';

/** Runs a FetchXML query against the store: joins, filters, order, paging, aggregates, Web API row shapes. */

export const ATTRIBUTE_NAME = 'OData.Community.Display.V1.AttributeName';
const PAGING_COOKIE = 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const MORE_RECORDS = 'Microsoft.Dynamics.CRM.morerecords';
const TOTAL = 'Microsoft.Dynamics.CRM.totalrecordcount';
const TOTAL_EXCEEDED = 'Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded';
const MAX_PAGE = 5000;
const MAX_JOINED_ROWS = 200_000;

export function runFetchXml(ctx: ApiContext, em: EntityModel, xml: string): ApiResult {
  return runFetchQuery(ctx, em, parseFetch(ctx.model, xml, em));
}

export function runFetchQuery(ctx: ApiContext, em: EntityModel, q: FetchQuery): ApiResult {
  const cctx = {
    userId: ctx.userId,
    businessUnitId: ctx.businessUnitId,
    now: Date.now(),
    nameOf: (entity: string, id: string) => primaryName(ctx, entity, id),
  };
  let rows: Row[] = ctx.store.rowsByKey(em.def.logicalName).map((r) => [r]);
  for (const node of q.nodes.slice(1)) rows = join(ctx, rows, node, compileFilter(node.filter, cctx));
  const rootFilter = compileFilter(q.nodes[0].filter, cctx);
  if (rootFilter) rows = rows.filter(rootFilter);
  const sc = shapeContext(ctx);
  let out: Rec[];
  if (q.aggregate) out = aggregate(ctx, q, rows, sc);
  else {
    rows = order(ctx, q, rows);
    out = rows.map((r) => shapeRow(q, r, sc));
    if (q.distinct) {
      const seen = new Set<string>();
      out = out.filter((r) => {
        const { ['@odata.etag']: _e, ...rest } = r;
        const k = JSON.stringify(rest);
        return seen.has(k) ? false : (seen.add(k), true);
      });
    }
  }
  const total = out.length;
  const size = q.top ?? q.count ?? MAX_PAGE;
  const page = q.page ?? 1;
  let start = q.top !== undefined ? 0 : (page - 1) * size;
  const after = cookieLast(em, q);
  if (after !== undefined) {
    // In primary-key order the cookie's last key marks where the next page starts, as on the service.
    const pk = em.def.primaryIdAttribute;
    start = out.findIndex((r) => String(r[pk]) > after);
    if (start < 0) start = out.length;
  }
  const pageRows = out.slice(start, start + size);
  const more = q.top === undefined && start + size < total;
  const body: Rec = { '@odata.context': `${ctx.apiUrl}$metadata#${em.def.entitySetName}` };
  if (q.totalRecordCount) {
    body[`@${TOTAL}`] = Math.min(total, MAX_PAGE);
    body[`@${TOTAL_EXCEEDED}`] = total > MAX_PAGE;
  }
  if (more && sc.ann?.(PAGING_COOKIE) && !q.aggregate)
    body[`@${PAGING_COOKIE}`] = pagingCookie(em, pageRows[0], pageRows[pageRows.length - 1], page);
  if (more && sc.ann?.(MORE_RECORDS)) body[`@${MORE_RECORDS}`] = true;
  body.value = pageRows;
  return { status: 200, body, headers: appliedPreferences(ctx) };
}

function cookieLast(em: EntityModel, q: FetchQuery): string | undefined {
  if (!q.pagingCookie || q.aggregate || q.distinct || q.orders.length || q.top !== undefined) return undefined;
  const m = new RegExp(`<${em.def.primaryIdAttribute} [^>]*last="\\{?([0-9a-fA-F-]{36})\\}?"`).exec(q.pagingCookie);
  return m ? m[1].toLowerCase() : undefined;
}

const enc = (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

function pagingCookie(em: EntityModel, first: Rec, last: Rec, page: number): string {
  const pk = em.def.primaryIdAttribute;
  const g = (r: Rec) => `{${String(r[pk]).toUpperCase()}}`;
  const inner = `<cookie page="${page}"><${pk} last="${g(last)}" first="${g(first)}" /></cookie>`;
  return `<cookie pagenumber="${page + 1}" pagingcookie="${enc(enc(inner))}" istracking="False" />`;
}

function join(ctx: ApiContext, rows: Row[], node: FetchNode, filter: RowPredicate | undefined): Row[] {
  const fromKey = propName(node.from!);
  const toKey = propName(node.to!);
  const index = new Map<string, Rec[]>();
  for (const r of ctx.store.rowsByKey(node.entity.def.logicalName)) {
    const v = r[fromKey];
    if (v === null || v === undefined) continue;
    const k = String(v).toLowerCase();
    const list = index.get(k);
    if (list) list.push(r);
    else index.set(k, [r]);
  }
  const out: Row[] = [];
  for (const row of rows) {
    const parent = row[node.parent!];
    const v = parent?.[toKey];
    const candidates = v === null || v === undefined ? [] : (index.get(String(v).toLowerCase()) ?? []);
    const matches = filter ? candidates.filter((c) => filter([...row, c])) : candidates;
    if (node.linkType === 'outer') {
      if (!matches.length) out.push([...row, null]);
      else for (const m of matches) out.push([...row, m]);
    } else if (node.linkType === 'inner') {
      for (const m of matches) out.push([...row, m]);
    } else if (matches.length) out.push([...row, null]);
    if (out.length > MAX_JOINED_ROWS) throw fetchError('The query joins too many rows; add filters to the link entities.', '0x80040203');
  }
  return out;
}

function sortValue(ctx: ApiContext, q: FetchQuery, a: AttrDef, rec: Rec | null): unknown {
  if (!rec) return null;
  const v = rec[propName(a)] ?? null;
  if (v === null) return null;
  if ((a.type === 'Picklist' || a.type === 'State' || a.type === 'Status') && !q.useRawOrderBy)
    return a.options?.find((o) => o.value === v)?.label.toLowerCase() ?? v;
  if (isLookup(a)) {
    const target = rec[`${propName(a)}${LOOKUP_TYPE}`];
    return typeof target === 'string' ? (primaryName(ctx, target, String(v))?.toLowerCase() ?? null) : null;
  }
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

function order(ctx: ApiContext, q: FetchQuery, rows: Row[]): Row[] {
  const orders = q.orders.filter((o) => o.attr);
  if (!orders.length) return rows;
  const decorated = rows.map((r, i) => ({ r, i, k: orders.map((o) => sortValue(ctx, q, o.attr!, r[o.node])) }));
  decorated.sort((a, b) => {
    for (let j = 0; j < orders.length; j++) {
      const c = cmp(a.k[j], b.k[j]);
      if (c) return orders[j].descending ? -c : c;
    }
    return a.i - b.i;
  });
  return decorated.map((d) => d.r);
}

function put(out: Rec, key: string, a: AttrDef, rec: Rec, sc: ShapeContext, linked: boolean): void {
  const prop = propName(a);
  const v = rec[prop];
  if (v === null || v === undefined) return;
  const ann = sc.ann;
  if (ann) {
    if (linked && ann(ATTRIBUTE_NAME)) out[`${key}@${ATTRIBUTE_NAME}`] = a.logicalName;
    if (isLookup(a)) {
      const target = rec[prop + LOOKUP_TYPE] as string | undefined;
      if (target) {
        const nav = a.targets?.find((t) => t.entity === target)?.nav;
        if (!linked && nav && ann(NAV)) out[`${key}@${NAV}`] = nav;
        if (ann(LLN)) out[`${key}@${LLN}`] = target;
        const name = ann(FV) ? primaryName(sc, target, String(v)) : undefined;
        if (name !== undefined) out[`${key}@${FV}`] = name;
      }
    } else if (ann(FV)) {
      const f = formattedValue(a, v, sc.timeZone);
      if (f !== undefined) out[`${key}@${FV}`] = f;
    }
  }
  out[key] = v;
}

function columns(node: FetchNode): { attr: AttrDef; alias?: string }[] {
  if (node.all || (node.index === 0 && !node.attrs.length))
    return node.entity.def.attributes.filter((a) => !a.attributeOf && a.type !== 'Virtual').map((attr) => ({ attr }));
  return node.attrs.filter((a) => !a.attr.attributeOf);
}

function shapeRow(q: FetchQuery, row: Row, sc: ShapeContext): Rec {
  const root = row[0]!;
  const out: Rec = q.distinct ? {} : { '@odata.etag': etag(root) };
  for (const node of q.nodes) {
    const rec = row[node.index];
    if (!rec) continue;
    for (const c of columns(node)) {
      const key = node.index === 0 ? (c.alias ?? propName(c.attr)) : `${node.alias}.${c.alias ?? c.attr.logicalName}`;
      put(out, key, c.attr, rec, sc, node.index !== 0);
    }
  }
  const pk = q.nodes[0].entity.def.primaryIdAttribute;
  if (!q.distinct && !(pk in out)) out[pk] = root[pk];
  return out;
}

function aggregate(ctx: ApiContext, q: FetchQuery, rows: Row[], sc: ShapeContext): Rec[] {
  const keys: GroupKey<Row>[] = [];
  const aggs: AggSpec<Row>[] = [];
  for (const node of q.nodes)
    for (const a of node.attrs) {
      const prop = propName(a.attr);
      const get = (r: Row) => r[node.index]?.[prop] ?? null;
      if (a.groupby)
        keys.push({
          name: a.alias!,
          attr: a.attr,
          get,
          target: (r) => r[node.index]?.[prop + LOOKUP_TYPE] as string | undefined,
          datePart: a.dategrouping,
        });
      else {
        const fn = a.aggregate === 'countcolumn' && a.distinct ? 'countdistinct' : a.aggregate!;
        aggs.push({ name: a.alias!, fn, attr: a.attr, get });
      }
    }
  let out = aggregateRows(rows, keys, aggs, ctx.aggregateLimit ?? DEFAULT_AGGREGATE_LIMIT, sc);
  const orders = q.orders.filter((o) => o.alias);
  for (const o of orders)
    if (!keys.some((k) => k.name === o.alias) && !aggs.some((a) => a.name === o.alias))
      throw fetchError(`The alias '${o.alias}' in an <order> element is not an alias of the query.`, '0x80040203');
  if (orders.length) {
    out = out
      .map((r, i) => ({ r, i }))
      .sort((a, b) => {
        for (const o of orders) {
          const c = cmp(a.r[o.alias!] ?? null, b.r[o.alias!] ?? null);
          if (c) return o.descending ? -c : c;
        }
        return a.i - b.i;
      })
      .map((d) => d.r);
  }
  return out;
}
