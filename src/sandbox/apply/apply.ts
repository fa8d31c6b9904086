import { Errors } from '../errors';
import { ApiContext, ApiResult } from '../handlers/context';
import { appliedPreferences, shapeContext } from '../handlers/record-read';
import { compileRecordFilter } from '../handlers/record-query';
import { AttrDef } from '../metadata/model';
import { EntityModel, isLookup } from '../metadata/registry';
import { QueryOptions, parseOrderBy, splitTop } from '../odata/query';
import { LOOKUP_TYPE, Rec } from '../store';
import { AggFn, AggSpec, DEFAULT_AGGREGATE_LIMIT, GroupKey, aggregateRows } from './groups';

/** OData `$apply`: filter(...), groupby((...)[,aggregate(...)]) and aggregate(...), as Dataverse supports them. */

interface AggItem {
  prop?: string;
  fn: AggFn;
  alias: string;
}
type Step = { t: 'filter'; expr: string } | { t: 'groupby'; props: string[]; aggs: AggItem[] } | { t: 'aggregate'; aggs: AggItem[] };

const METHODS: Record<string, AggFn> = { sum: 'sum', average: 'avg', min: 'min', max: 'max', countdistinct: 'countdistinct' };
const MAX_APPLY = 4000;

const syntax = (text: string, at: number) => Errors.syntax(at, text);

function call(s: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*${name}\\s*\\(([\\s\\S]*)\\)\\s*$`).exec(s);
  return m ? m[1] : undefined;
}

function parseAggregates(text: string, inner: string): AggItem[] {
  return splitTop(inner, ',').map((part) => {
    const count = /^\s*\$count\s+as\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(part);
    if (count) return { fn: 'count' as const, alias: count[1] };
    const m = /^\s*([A-Za-z_][A-Za-z0-9_/]*)\s+with\s+([A-Za-z]+)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(part);
    if (!m) throw syntax(text, Math.max(0, text.indexOf(part.trim())));
    const fn = METHODS[m[2]];
    if (!fn) throw Errors.query(`The aggregation method '${m[2]}' is not supported.`);
    return { prop: m[1], fn, alias: m[3] };
  });
}

export function parseApply(text: string): Step[] {
  if (text.length > MAX_APPLY) throw Errors.query(`The $apply value is longer than ${MAX_APPLY} characters.`);
  const steps: Step[] = [];
  for (const raw of splitTop(text, '/')) {
    const filter = call(raw, 'filter');
    const groupby = call(raw, 'groupby');
    const agg = call(raw, 'aggregate');
    if (filter !== undefined) steps.push({ t: 'filter', expr: filter });
    else if (agg !== undefined) steps.push({ t: 'aggregate', aggs: parseAggregates(text, agg) });
    else if (groupby !== undefined) {
      const parts = splitTop(groupby, ',');
      const first = /^\s*\(([^()]*)\)\s*$/.exec(parts[0]);
      if (!first) throw syntax(text, text.indexOf('groupby') + 8);
      const props = first[1].split(',').map((p) => p.trim());
      if (props.some((p) => !p)) throw syntax(text, text.indexOf(first[1]));
      let aggs: AggItem[] = [];
      if (parts.length > 2) throw syntax(text, text.indexOf(parts[2]));
      if (parts.length === 2) {
        const inner = call(parts[1], 'aggregate');
        if (inner === undefined) throw syntax(text, text.indexOf(parts[1]));
        aggs = parseAggregates(text, inner);
      }
      steps.push({ t: 'groupby', props, aggs });
    } else throw syntax(text, Math.max(0, text.indexOf(raw)));
  }
  return steps;
}

const typeName = (em: EntityModel) => `Microsoft.Dynamics.CRM.${em.def.logicalName}`;

interface Bound {
  name: string;
  attr: AttrDef;
  get(r: Rec): unknown;
  target?(r: Rec): string | undefined;
}

function bindPath(ctx: ApiContext, em: EntityModel, path: string): Bound {
  const slash = path.indexOf('/');
  if (slash < 0) {
    const a = em.props.get(path);
    if (!a) throw Errors.propertyNotFound(path, typeName(em));
    return { name: path, attr: a, get: (r) => r[path], target: isLookup(a) ? (r) => r[path + LOOKUP_TYPE] as string : undefined };
  }
  const nav = path.slice(0, slash);
  const sn = em.singleNavs.get(nav);
  if (!sn) throw Errors.propertyNotFound(nav, typeName(em));
  const tem = ctx.model.entities.get(sn.target.entity)!;
  const inner = bindPath(ctx, tem, path.slice(slash + 1));
  const key = `_${sn.attr.logicalName}_value`;
  const related = (r: Rec) => {
    const id = r[key];
    return typeof id === 'string' && r[key + LOOKUP_TYPE] === sn.target.entity ? ctx.store.get(sn.target.entity, id) : undefined;
  };
  return {
    name: `${tem.def.logicalName}_${inner.name}`,
    attr: inner.attr,
    get: (r) => {
      const t = related(r);
      return t ? inner.get(t) : null;
    },
    target: inner.target ? (r) => (related(r) ? inner.target!(related(r)!) : undefined) : undefined,
  };
}

export function runApply(ctx: ApiContext, em: EntityModel, q: QueryOptions, text: string): ApiResult {
  const steps = parseApply(text);
  if (q.filter !== undefined) throw Errors.query('Use filter() inside $apply instead of $filter together with $apply.');
  let rows: readonly Rec[] = ctx.store.rowsByKey(em.def.logicalName);
  let grouped: Rec[] | undefined;
  let keyNames: string[] = [];
  let aliases: string[] = [];
  const sc = shapeContext(ctx);
  for (const step of steps) {
    if (grouped) throw Errors.query('Only filter() steps before one groupby() or aggregate() step are supported in $apply.');
    if (step.t === 'filter') {
      const pred = compileRecordFilter(ctx, em, step.expr)!;
      rows = rows.filter(pred);
      continue;
    }
    const props = step.t === 'groupby' ? step.props : [];
    const keys: GroupKey<Rec>[] = props.map((p) => {
      const b = bindPath(ctx, em, p);
      if (b.attr.type === 'DateTime') throw Errors.query(`The groupby of the date and time property '${p}' is not supported.`);
      return { name: b.name, attr: b.attr, get: b.get, target: b.target };
    });
    const aggs: AggSpec<Rec>[] = step.aggs.map((a) => {
      if (!a.prop) return { name: a.alias, fn: a.fn };
      const b = bindPath(ctx, em, a.prop);
      if ((a.fn === 'sum' || a.fn === 'avg') && !['Integer', 'BigInt', 'Decimal', 'Double', 'Money'].includes(b.attr.type))
        throw Errors.query(`The aggregation method '${a.fn === 'avg' ? 'average' : a.fn}' cannot be applied to the property '${a.prop}'.`);
      return { name: a.alias, fn: a.fn, attr: b.attr, get: b.get };
    });
    keyNames = keys.map((k) => k.name);
    aliases = aggs.map((a) => a.name);
    grouped = aggregateRows(rows, keys, aggs, ctx.aggregateLimit ?? DEFAULT_AGGREGATE_LIMIT, sc);
  }
  if (!grouped) throw Errors.query('A $apply with only filter() steps is not supported; add groupby() or aggregate().');
  if (q.orderby !== undefined) {
    const keys = parseOrderBy(q.orderby);
    for (const k of keys)
      if (aliases.includes(k.prop)) throw Errors.query('The query node SingleValueOpenPropertyAccess is not supported.');
      else if (!keyNames.includes(k.prop)) throw Errors.propertyNotFound(k.prop, typeName(em));
    grouped = grouped
      .map((r, i) => ({ r, i }))
      .sort((a, b) => {
        for (const k of keys) {
          const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : (v ?? null));
          const x = norm(a.r[k.prop]) as number | string | null;
          const y = norm(b.r[k.prop]) as number | string | null;
          if (x === y) continue;
          const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
          return k.desc ? -c : c;
        }
        return a.i - b.i;
      })
      .map((d) => d.r);
  }
  if (q.top !== undefined) grouped = grouped.slice(0, q.top);
  return {
    status: 200,
    body: { '@odata.context': `${ctx.apiUrl}$metadata#${em.def.entitySetName}`, value: grouped },
    headers: appliedPreferences(ctx),
  };
}
