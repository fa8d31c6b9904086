import { AttrDef } from '../metadata/model';
import { isLookup, propName } from '../metadata/registry';
import { Rec } from '../store';
import { FetchCondition, FetchFilter, fetchError } from './parse';

/** FetchXML condition operators compiled to predicates over joined rows (one record, or null, per query node). */

export type Row = (Rec | null)[];
export type RowPredicate = (row: Row) => boolean;

export interface ConditionContext {
  userId: string;
  businessUnitId: string;
  now: number;
  /** The primary name of a related record: like-style operators on a lookup match its name. */
  nameOf?(entity: string, id: string): string | undefined;
}

const DAY = 86_400_000;
const NUMERIC = new Set(['Integer', 'BigInt', 'Decimal', 'Double', 'Money', 'Picklist', 'State', 'Status']);
const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const toMs = (v: unknown) => (typeof v === 'string' ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : NaN);
const guid = (s: string) => s.replace(/[{}]/g, '').toLowerCase();

type Kind = 'num' | 'bool' | 'date' | 'guid' | 'str';
function kindOf(a: AttrDef): Kind {
  if (NUMERIC.has(a.type)) return 'num';
  if (a.type === 'Boolean') return 'bool';
  if (a.type === 'DateTime') return 'date';
  if (isLookup(a) || a.type === 'Uniqueidentifier') return 'guid';
  return 'str';
}

function literal(kind: Kind, v: string, c: FetchCondition): unknown {
  switch (kind) {
    case 'num': {
      const n = Number(v);
      if (v.trim() === '' || Number.isNaN(n)) throw badValue(c, v);
      return n;
    }
    case 'bool':
      if (!['0', '1', 'true', 'false'].includes(v)) throw badValue(c, v);
      return v === '1' || v === 'true';
    case 'date': {
      const ms = toMs(v);
      if (Number.isNaN(ms)) throw badValue(c, v);
      return ms;
    }
    case 'guid':
      if (!/^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(v)) throw badValue(c, v);
      return guid(v);
    default:
      return v.toLowerCase();
  }
}

function badValue(c: FetchCondition, v: string) {
  return fetchError(`The value '${v}' is not valid for the attribute '${c.attr.logicalName}' of type ${c.attr.type}.`, '0x80040203');
}

function normalize(kind: Kind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'date') return toMs(v);
  if (kind === 'str' || kind === 'guid') return String(v).toLowerCase();
  return v;
}

/** '%' any run, '_' one character, '[abc]' a set; case-insensitive. */
function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

function utcParts(ms: number) {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() };
}

export function compileFilter(f: FetchFilter | undefined, ctx: ConditionContext): RowPredicate | undefined {
  if (!f) return undefined;
  const parts: RowPredicate[] = [
    ...f.conditions.map((c) => compileCondition(c, ctx)),
    ...f.filters.map((x) => compileFilter(x, ctx)).filter((p): p is RowPredicate => !!p),
  ];
  if (!parts.length) return undefined;
  return f.type === 'and' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
}

function compileCondition(c: FetchCondition, ctx: ConditionContext): RowPredicate {
  const key = propName(c.attr);
  const node = c.node;
  const kind = kindOf(c.attr);
  const raw = (row: Row) => row[node]?.[key] ?? null;
  const get = (row: Row) => normalize(kind, raw(row));
  const op = c.operator;
  const need = (n: number) => {
    if (c.values.length < n)
      throw fetchError(`The condition operator '${op}' on '${c.attr.logicalName}' needs ${n} value${n > 1 ? 's' : ''}.`, '0x80040203');
  };
  const vals = () => c.values.map((v) => literal(kind, v, c));
  const num = () => {
    need(1);
    const n = Number(c.values[0]);
    if (!Number.isInteger(n) || n < 0) throw badValue(c, c.values[0]);
    return n;
  };
  const dateRange =
    (lo: number, hi: number): RowPredicate =>
    (row) => {
      const v = toMs(raw(row));
      return v >= lo && v < hi;
    };
  const cmp = (test: (x: number | string | boolean, y: number | string | boolean) => boolean): RowPredicate => {
    need(1);
    const v = literal(kind, c.values[0], c) as number | string;
    return (row) => {
      const x = get(row) as number | string | null;
      return x !== null && test(x, v);
    };
  };
  const now = ctx.now;
  const today = startOfDay(now);
  const { y, m } = utcParts(now);
  switch (op) {
    case 'eq':
      return cmp((x, v) => x === v);
    case 'ne':
    case 'neq':
      return cmp((x, v) => x !== v);
    case 'gt':
      return cmp((x, v) => x > v);
    case 'ge':
      return cmp((x, v) => x >= v);
    case 'lt':
      return cmp((x, v) => x < v);
    case 'le':
      return cmp((x, v) => x <= v);
    case 'null':
      return (row) => raw(row) === null;
    case 'not-null':
      return (row) => raw(row) !== null;
    case 'in':
    case 'not-in': {
      need(1);
      const set = new Set(vals());
      return op === 'in'
        ? (row) => set.has(get(row))
        : (row) => {
            const x = get(row);
            return x !== null && !set.has(x);
          };
    }
    case 'between':
    case 'not-between': {
      need(2);
      const [lo, hi] = vals() as number[];
      const inside = (x: unknown) => (x as number) >= lo && (x as number) <= hi;
      return (row) => {
        const x = get(row);
        return x !== null && (op === 'between' ? inside(x) : !inside(x));
      };
    }
    case 'like':
    case 'not-like':
    case 'begins-with':
    case 'not-begin-with':
    case 'ends-with':
    case 'not-end-with': {
      need(1);
      const v = c.values[0];
      const pattern = op.includes('begin') ? `${v}%` : op.includes('end') ? `%${v}` : v;
      const re = likeRegex(pattern);
      const negate = op.startsWith('not-');
      const lookup = isLookup(c.attr);
      return (row) => {
        let x = raw(row);
        if (lookup && x !== null) {
          const target = row[node]?.[`${key}@Microsoft.Dynamics.CRM.lookuplogicalname`];
          x = typeof target === 'string' ? (ctx.nameOf?.(target, String(x)) ?? null) : null;
        }
        if (x === null) return false;
        return re.test(String(x)) !== negate;
      };
    }
    case 'eq-userid':
      return (row) => get(row) === ctx.userId.toLowerCase();
    case 'ne-userid':
      return (row) => {
        const x = get(row);
        return x !== null && x !== ctx.userId.toLowerCase();
      };
    case 'eq-businessid':
      return (row) => get(row) === ctx.businessUnitId.toLowerCase();
    case 'on': {
      need(1);
      const d = startOfDay(literal('date', c.values[0], c) as number);
      return dateRange(d, d + DAY);
    }
    case 'on-or-after': {
      need(1);
      const d = startOfDay(literal('date', c.values[0], c) as number);
      return (row) => toMs(raw(row)) >= d;
    }
    case 'on-or-before': {
      need(1);
      const d = startOfDay(literal('date', c.values[0], c) as number);
      return (row) => toMs(raw(row)) < d + DAY;
    }
    case 'today':
      return dateRange(today, today + DAY);
    case 'yesterday':
      return dateRange(today - DAY, today);
    case 'tomorrow':
      return dateRange(today + DAY, today + 2 * DAY);
    case 'last-seven-days':
      return dateRange(today - 7 * DAY, now);
    case 'next-seven-days':
      return dateRange(now, today + 8 * DAY);
    case 'last-x-hours':
      return dateRange(now - num() * 3_600_000, now);
    case 'next-x-hours':
      return dateRange(now, now + num() * 3_600_000);
    case 'last-x-days':
      return dateRange(today - num() * DAY, now);
    case 'next-x-days':
      return dateRange(now, today + (num() + 1) * DAY);
    case 'last-x-weeks':
      return dateRange(today - num() * 7 * DAY, now);
    case 'next-x-weeks':
      return dateRange(now, today + (num() * 7 + 1) * DAY);
    case 'last-x-months':
      return dateRange(Date.UTC(y, m - num(), new Date(today).getUTCDate()), now);
    case 'next-x-months':
      return dateRange(now, Date.UTC(y, m + num(), new Date(today).getUTCDate() + 1));
    case 'last-x-years':
      return dateRange(Date.UTC(y - num(), m, new Date(today).getUTCDate()), now);
    case 'next-x-years':
      return dateRange(now, Date.UTC(y + num(), m, new Date(today).getUTCDate() + 1));
    case 'older-than-x-days':
      return (row) => toMs(raw(row)) < today - num() * DAY;
    case 'older-than-x-months':
      return (row) => toMs(raw(row)) < Date.UTC(y, m - num(), new Date(today).getUTCDate());
    case 'older-than-x-years':
      return (row) => toMs(raw(row)) < Date.UTC(y - num(), m, new Date(today).getUTCDate());
    case 'this-year':
      return dateRange(Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1));
    case 'last-year':
      return dateRange(Date.UTC(y - 1, 0, 1), Date.UTC(y, 0, 1));
    case 'next-year':
      return dateRange(Date.UTC(y + 1, 0, 1), Date.UTC(y + 2, 0, 1));
    case 'this-month':
      return dateRange(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1));
    case 'last-month':
      return dateRange(Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1));
    case 'next-month':
      return dateRange(Date.UTC(y, m + 1, 1), Date.UTC(y, m + 2, 1));
    case 'this-week': {
      const start = today - new Date(today).getUTCDay() * DAY;
      return dateRange(start, start + 7 * DAY);
    }
    case 'last-week': {
      const start = today - new Date(today).getUTCDay() * DAY - 7 * DAY;
      return dateRange(start, start + 7 * DAY);
    }
    default:
      throw fetchError(`The condition operator '${op}' is not valid or not supported.`, '0x80040203');
  }
}
