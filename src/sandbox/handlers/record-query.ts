import { Errors } from '../errors';
import { AttrDef } from '../metadata/model';
import { EntityModel } from '../metadata/registry';
import { Edm, FilterContext, Predicate, compileFilter, parseFilter } from '../odata/filter-parser';
import { CompiledExpand } from '../odata/format';
import { ExpandItem, parseOrderBy } from '../odata/query';
import { LOOKUP_TYPE, Rec } from '../store';
import { ApiContext } from './context';
import { cmpValues } from '../odata/compare';

/** Binding of $select/$filter/$orderby/$expand against a table's metadata. */

export function edmOf(a: AttrDef): Edm {
  switch (a.type) {
    case 'String':
    case 'Memo':
    case 'EntityName':
      return 'Edm.String';
    case 'Integer':
    case 'Picklist':
    case 'State':
    case 'Status':
      return 'Edm.Int32';
    case 'BigInt':
      return 'Edm.Int64';
    case 'Decimal':
    case 'Money':
      return 'Edm.Decimal';
    case 'Double':
      return 'Edm.Double';
    case 'Boolean':
      return 'Edm.Boolean';
    case 'DateTime':
      return a.dateOnly ? 'Edm.Date' : 'Edm.DateTimeOffset';
    default:
      return 'Edm.Guid';
  }
}

const typeName = (em: EntityModel) => `Microsoft.Dynamics.CRM.${em.def.logicalName}`;

export function validateSelect(em: EntityModel, select: string[] | undefined): string[] | null {
  if (!select) return null;
  for (const s of select) if (!em.props.has(s)) throw Errors.propertyNotFound(s, typeName(em));
  return select;
}

export function filterContext(ctx: ApiContext, em: EntityModel): FilterContext {
  const fc: FilterContext = {
    userId: ctx.userId,
    bindAttribute(name) {
      const a = em.attrs.get(name);
      if (a && em.props.has(`_${name}_value`)) return fc.bind(`_${name}_value`);
      return fc.bind(name);
    },
    bind(path) {
      const slash = path.indexOf('/');
      if (slash > 0) {
        const nav = path.slice(0, slash);
        const rest = path.slice(slash + 1);
        const sn = em.singleNavs.get(nav);
        if (!sn) throw Errors.propertyNotFound(nav, typeName(em));
        const tem = ctx.model.entities.get(sn.target.entity)!;
        const inner = filterContext(ctx, tem).bind(rest);
        const key = `_${sn.attr.logicalName}_value`;
        const target = sn.target.entity;
        return {
          edm: inner.edm,
          get: (r) => {
            const id = r[key];
            if (typeof id !== 'string' || r[key + LOOKUP_TYPE] !== target) return null;
            const t = ctx.store.get(target, id);
            return t ? inner.get(t) : null;
          },
        };
      }
      const a = em.props.get(path);
      if (!a) throw Errors.propertyNotFound(path, typeName(em));
      return { edm: edmOf(a), get: (r) => r[path] };
    },
  };
  return fc;
}

export function compileRecordFilter(ctx: ApiContext, em: EntityModel, filter: string | undefined): Predicate | undefined {
  if (filter === undefined) return undefined;
  return compileFilter(parseFilter(filter), filterContext(ctx, em));
}

/** Sorts rows already in primary-key order by the $orderby keys (stable, keys computed once per row). */
export function sortRows(rows: Rec[], keys: { prop: string; desc: boolean }[]): Rec[] {
  const user = keys.slice(0, -1);
  if (!user.length) return rows;
  const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
  const decorated = rows.map((r, i) => ({ r, i, k: user.map((k) => norm(r[k.prop])) }));
  decorated.sort((a, b) => {
    for (let j = 0; j < user.length; j++) {
      const c = cmpValues(a.k[j], b.k[j]);
      if (c) return user[j].desc ? -c : c;
    }
    return a.i - b.i;
  });
  return decorated.map((d) => d.r);
}

/** A total order: the $orderby keys, then the primary key. */
export function comparator(
  em: EntityModel,
  orderby: string | undefined,
): { compare: (a: Rec, b: Rec) => number; keys: { prop: string; desc: boolean }[] } {
  const keys = orderby ? parseOrderBy(orderby) : [];
  for (const k of keys) if (!em.props.has(k.prop)) throw Errors.propertyNotFound(k.prop, typeName(em));
  const pk = em.def.primaryIdAttribute;
  const all = [...keys, { prop: pk, desc: false }];
  return {
    keys: all,
    compare: (a, b) => {
      for (const k of all) {
        const c = cmpValues(a[k.prop], b[k.prop]);
        if (c) return k.desc ? -c : c;
      }
      return 0;
    },
  };
}

export function compileExpands(ctx: ApiContext, em: EntityModel, items: ExpandItem[]): CompiledExpand[] {
  return items.map((it) => {
    const single = em.singleNavs.get(it.nav);
    if (single) {
      const tem = ctx.model.entities.get(single.target.entity)!;
      if (it.filter || it.orderby || it.top !== undefined)
        throw Errors.query(`Query options other than $select are not allowed on the single-valued navigation property '${it.nav}'.`);
      return { kind: 'single', nav: it.nav, attr: single.attr, target: single.target.entity, select: validateSelect(tem, it.select) };
    }
    const coll = em.collectionNavs.get(it.nav);
    if (coll) {
      const child = ctx.model.entities.get(coll.child)!;
      return {
        kind: 'collection',
        nav: it.nav,
        child,
        attr: coll.attr,
        select: validateSelect(child, it.select),
        filter: compileRecordFilter(ctx, child, it.filter),
        compare: it.orderby ? comparator(child, it.orderby).compare : undefined,
        top: it.top,
      };
    }
    throw Errors.propertyNotFound(it.nav, typeName(em));
  });
}

export function contextSuffix(select: string[] | null, expands: ExpandItem[]): string {
  if (!select && !expands.length) return '';
  const parts = select ? [...select] : ['*'];
  for (const x of expands) parts.push(`${x.nav}(${x.select ? x.select.join(',') : '*'})`);
  return `(${parts.join(',')})`;
}
