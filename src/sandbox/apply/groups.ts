import { ApiError } from '../errors';
import { AttrDef } from '../metadata/model';
import { isLookup } from '../metadata/registry';
import { FV, LLN, ShapeContext, formattedValue, primaryName } from '../odata/format';
import { Rec } from '../store';
import { cmpValues } from '../odata/compare';

/** Grouping and aggregate functions shared by OData $apply and FetchXML aggregate queries. */

export type AggFn = 'count' | 'countcolumn' | 'countdistinct' | 'sum' | 'avg' | 'min' | 'max';
export type DatePart = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface GroupKey<T> {
  /** Output property name (alias, or the property / path name). */
  name: string;
  attr: AttrDef;
  get(row: T): unknown;
  /** Lookups: the target table of the value. */
  target?(row: T): string | undefined;
  datePart?: DatePart;
}

export interface AggSpec<T> {
  name: string;
  fn: AggFn;
  attr?: AttrDef;
  get?(row: T): unknown;
}

export const DEFAULT_AGGREGATE_LIMIT = 50_000;

export const aggregateLimitError = () =>
  new ApiError(400, '0x8004E023', 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.');

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

/** The number Dataverse returns for a date grouping (UTC). */
export function datePart(v: unknown, part: DatePart): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'quarter':
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'month':
      return d.getUTCMonth() + 1;
    case 'week':
      return isoWeek(d);
    case 'day':
      return d.getUTCDate();
  }
}

const INT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

interface Acc {
  keyValues: unknown[];
  targets: (string | undefined)[];
  count: number;
  values: unknown[][];
}

/**
 * Groups rows and computes aggregates. Throws AggregateQueryRecordLimit when more than `limit` rows feed the query.
 * Rows come back in group-key order (nulls first), with null keys and null aggregates omitted from each row.
 */
export function aggregateRows<T>(rows: readonly T[], keys: GroupKey<T>[], aggs: AggSpec<T>[], limit: number, sc: ShapeContext): Rec[] {
  if (rows.length > limit) throw aggregateLimitError();
  const groups = new Map<string, Acc>();
  for (const row of rows) {
    const keyValues = keys.map((k) => {
      const v = k.get(row) ?? null;
      return k.datePart ? datePart(v, k.datePart) : v;
    });
    const id = JSON.stringify(keyValues);
    let g = groups.get(id);
    if (!g) {
      g = { keyValues, targets: keys.map((k) => (k.target ? k.target(row) : undefined)), count: 0, values: aggs.map(() => []) };
      groups.set(id, g);
    }
    g.count++;
    aggs.forEach((a, i) => {
      if (a.get) g!.values[i].push(a.get(row) ?? null);
    });
  }
  if (!groups.size && !keys.length) groups.set('[]', { keyValues: [], targets: [], count: 0, values: aggs.map(() => []) });
  const list = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = cmpValues(a.keyValues[i], b.keyValues[i]);
      if (c) return c;
    }
    return 0;
  });
  const ann = sc.ann;
  return list.map((g) => {
    const out: Rec = {};
    keys.forEach((k, i) => {
      const v = g.keyValues[i];
      if (v === null || v === undefined) return;
      if (ann) {
        if (k.datePart) {
          if (ann(FV)) out[`${k.name}@${FV}`] = String(v);
        } else if (isLookup(k.attr)) {
          const target = g.targets[i];
          if (target) {
            if (ann(LLN)) out[`${k.name}@${LLN}`] = target;
            const name = ann(FV) ? primaryName(sc, target, String(v)) : undefined;
            if (name !== undefined) out[`${k.name}@${FV}`] = name;
          }
        } else if (ann(FV)) {
          const f = formattedValue(k.attr, v, sc.timeZone);
          if (f !== undefined) out[`${k.name}@${FV}`] = f;
        }
      }
      out[k.name] = v;
    });
    aggs.forEach((a, i) => {
      const v = compute(a.fn, g.count, g.values[i]);
      if (v === null) return;
      if (ann?.(FV)) {
        const counting = a.fn === 'count' || a.fn === 'countcolumn' || a.fn === 'countdistinct';
        const f = counting || !a.attr ? INT_FORMAT.format(Number(v)) : formattedValue(a.attr, v, sc.timeZone);
        if (f !== undefined) out[`${a.name}@${FV}`] = f;
      }
      out[a.name] = v;
    });
    return out;
  });
}

function compute(fn: AggFn, count: number, values: unknown[]): unknown {
  const present = values.filter((v) => v !== null && v !== undefined);
  switch (fn) {
    case 'count':
      return count;
    case 'countcolumn':
      return present.length;
    case 'countdistinct':
      return new Set(present.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size;
    case 'sum':
      return present.length ? round(present.reduce((s: number, v) => s + Number(v), 0)) : null;
    case 'avg':
      return present.length ? round(present.reduce((s: number, v) => s + Number(v), 0) / present.length) : null;
    case 'min':
    case 'max': {
      if (!present.length) return null;
      let best = present[0];
      for (const v of present) if (fn === 'min' ? cmpValues(v, best) < 0 : cmpValues(v, best) > 0) best = v;
      return best;
    }
  }
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;
