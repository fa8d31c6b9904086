import { AttrDef } from '../metadata/model';
import { EntityModel, Model, isLookup } from '../metadata/registry';
import { LOOKUP_TYPE, Rec, Store } from '../store';
import { Predicate } from './filter-parser';
import { AnnotationFilter } from './query';

/** Shapes stored records into Web API JSON: etag, selected properties, annotations, expanded navigation properties. */

export const FV = 'OData.Community.Display.V1.FormattedValue';
export const NAV = 'Microsoft.Dynamics.CRM.associatednavigationproperty';
export const LLN = 'Microsoft.Dynamics.CRM.lookuplogicalname';

export type CompiledExpand =
  | { kind: 'single'; nav: string; attr: AttrDef; target: string; select: string[] | null }
  | {
      kind: 'collection';
      nav: string;
      child: EntityModel;
      attr: AttrDef;
      select: string[] | null;
      filter?: Predicate;
      compare?: (a: Rec, b: Rec) => number;
      top?: number;
    };

export interface ShapeContext {
  model: Model;
  store: Store;
  ann?: AnnotationFilter;
  timeZone: string;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat('en-US', opts)));
  return f;
}
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(tz: string): Intl.DateTimeFormat {
  let f = dateFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hour12: true,
    });
    dateFormats.set(tz, f);
  }
  return f;
}

/** The formatted value Dataverse returns for a non-lookup attribute value, or undefined when it has none. */
export function formattedValue(a: AttrDef, v: unknown, tz: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (a.type) {
    case 'Picklist':
    case 'State':
    case 'Status':
      return a.options?.find((o) => o.value === v)?.label;
    case 'Boolean': {
      const [f, t] = a.booleanLabels ?? ['No', 'Yes'];
      return v ? t : f;
    }
    case 'Money':
      return numberFormat('money', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
        Number(v),
      );
    case 'Integer':
    case 'BigInt':
      return numberFormat('int', { maximumFractionDigits: 0 }).format(Number(v));
    case 'Decimal':
    case 'Double': {
      const p = a.precision ?? 2;
      return numberFormat(`dec${p}`, { minimumFractionDigits: p, maximumFractionDigits: p }).format(Number(v));
    }
    case 'DateTime': {
      const s = String(v);
      if (a.dateOnly) {
        const [y, m, d] = s.slice(0, 10).split('-').map(Number);
        return `${m}/${d}/${y}`;
      }
      const ms = Date.parse(s);
      return Number.isNaN(ms) ? undefined : dateFormat(tz).format(ms).replace(',', '');
    }
    default:
      return undefined;
  }
}

/** The primary name of a record (used for lookup formatted values). */
export function primaryName(ctx: ShapeContext, entity: string, id: string): string | undefined {
  const em = ctx.model.entities.get(entity);
  const pn = em?.def.primaryNameAttribute;
  if (!em || !pn) return undefined;
  const r = ctx.store.get(entity, id);
  const v = r?.[pn];
  return typeof v === 'string' ? v : undefined;
}

function putProp(out: Rec, em: EntityModel, rec: Rec, prop: string, ctx: ShapeContext): void {
  const a = em.props.get(prop);
  const v = rec[prop] ?? null;
  if (a && ctx.ann && v !== null) {
    const ann = ctx.ann;
    if (isLookup(a)) {
      const target = rec[prop + LOOKUP_TYPE] as string | undefined;
      if (target) {
        const nav = a.targets?.find((t) => t.entity === target)?.nav;
        if (nav && ann(NAV)) out[`${prop}@${NAV}`] = nav;
        if (ann(LLN)) out[`${prop}@${LLN}`] = target;
        const name = ann(FV) ? primaryName(ctx, target, v as string) : undefined;
        if (name !== undefined) out[`${prop}@${FV}`] = name;
      }
    } else if (ann(FV)) {
      const f = formattedValue(a, v, ctx.timeZone);
      if (f !== undefined) out[`${prop}@${FV}`] = f;
    }
  }
  out[prop] = v;
}

export function etag(rec: Rec): string {
  return `W/"${rec.versionnumber ?? 0}"`;
}

export function shapeRecord(em: EntityModel, rec: Rec, select: string[] | null, ctx: ShapeContext, expands: CompiledExpand[] = []): Rec {
  const out: Rec = { '@odata.etag': etag(rec) };
  const pk = em.def.primaryIdAttribute;
  const props = select ?? em.propNames;
  for (const p of props) putProp(out, em, rec, p, ctx);
  if (!(pk in out)) out[pk] = rec[pk];
  for (const x of expands) {
    if (x.kind === 'single') {
      const id = rec[`_${x.attr.logicalName}_value`];
      const type = rec[`_${x.attr.logicalName}_value${LOOKUP_TYPE}`];
      const target = typeof id === 'string' && type === x.target ? ctx.store.get(x.target, id) : undefined;
      const tem = ctx.model.entities.get(x.target)!;
      out[x.nav] = target ? shapeRecord(tem, target, x.select, ctx) : null;
    } else {
      const key = `_${x.attr.logicalName}_value`;
      const id = rec[em.def.primaryIdAttribute];
      let rows = [...ctx.store.table(x.child.def.logicalName).values()].filter((r) => r[key] === id && (!x.filter || x.filter(r)));
      if (x.compare) rows.sort(x.compare);
      if (x.top !== undefined) rows = rows.slice(0, x.top);
      out[x.nav] = rows.map((r) => shapeRecord(x.child, r, x.select, ctx));
    }
  }
  return out;
}
