import { ToolError } from '../../common/tool-error';
import { truncate } from '../client/odata';
import type { SchemaField, TableSchema } from '../metadata/schema-format';
import { DATE_TYPES, fieldMap, isLookup, lookupOfValueName, NUMBER_TYPES, unknownFieldMessage } from './field-names';
import { odataToFetchFilter } from './odata-to-fetch';
import { xml, XmlElement } from './xml';

export const AGGREGATE_OPS = ['count', 'countDistinct', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateOp = (typeof AGGREGATE_OPS)[number];
export const DATE_PARTS = ['year', 'quarter', 'month', 'week', 'day'] as const;
export type DatePart = (typeof DATE_PARTS)[number];
export const MAX_GROUP_BY = 5;
export const MAX_AGGREGATES = 10;
const MAX_NAME = 140;

export interface AggregateSpec {
  op: AggregateOp;
  field?: string;
  as?: string;
}

export interface GroupKey {
  /** as given, e.g. `createdon:month`; the key of the group value in the output */
  key: string;
  field: SchemaField;
  part?: DatePart;
  /** FetchXML aliases (a date part needs year + part) */
  aliases: string[];
}

export interface AggregateColumn {
  alias: string;
  op: AggregateOp;
  field?: SchemaField;
  /** alias sent to Dataverse */
  wire: string;
}

export interface AggregatePlan {
  groups: GroupKey[];
  aggregates: AggregateColumn[];
  mode: 'apply' | 'fetch';
}

const ALIAS = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
/** FetchXML date groupings per requested part: the year always, so "March" of two years stays apart. */
const PART_GROUPINGS: Record<DatePart, Array<'year' | 'quarter' | 'month' | 'week' | 'day'>> = {
  year: ['year'],
  quarter: ['year', 'quarter'],
  month: ['year', 'month'],
  week: ['year', 'week'],
  day: ['year', 'month', 'day'],
};

export function planAggregate(schema: TableSchema, groupBy: string[] = [], specs: AggregateSpec[] = []): AggregatePlan {
  if (groupBy.length > MAX_GROUP_BY) throw bad(`groupBy takes at most ${MAX_GROUP_BY} fields.`);
  if (specs.length > MAX_AGGREGATES) throw bad(`aggregates takes at most ${MAX_AGGREGATES} entries.`);
  const long = [...groupBy, ...specs.flatMap((s) => [s.field ?? '', s.as ?? ''])].find((n) => n.length > MAX_NAME);
  if (long !== undefined) throw bad(`"${truncate(long, 40)}" is longer than any field name (${MAX_NAME} characters).`);
  const fields = fieldMap(schema);
  const find = (name: string, where: string): SchemaField => {
    const f = fields.get(name) ?? lookupOfValueName(name, fields);
    if (!f) throw new ToolError('invalid_input', unknownFieldMessage(name, schema, where));
    return f;
  };
  const groups = groupBy.map((entry, i): GroupKey => {
    const [name, part, ...rest] = entry.trim().split(':');
    const field = find(name, 'groupBy');
    if (rest.length || (part !== undefined && !(DATE_PARTS as readonly string[]).includes(part))) {
      throw bad(`groupBy "${entry}": a date field may end in :${DATE_PARTS.join(', :')}.`);
    }
    if (part && !DATE_TYPES.has(field.type))
      throw bad(`groupBy "${entry}": ${field.name} is ${field.type}, not a date; only dates take :${part}.`);
    if (!part && DATE_TYPES.has(field.type)) throw bad(`groupBy "${entry}": group a date by a part, e.g. "${field.name}:month".`);
    const p = part as DatePart | undefined;
    return {
      key: p ? `${field.name}:${p}` : field.name,
      field,
      part: p,
      aliases: p ? PART_GROUPINGS[p].map((g) => `g${i}_${g}`) : [`g${i}`],
    };
  });
  const list: AggregateSpec[] = specs.length ? specs : [{ op: 'count' }];
  const seen = new Set(groups.map((g) => g.key));
  const aggregates = list.map((s, i): AggregateColumn => {
    const field = s.field ? find(s.field, 'aggregates') : undefined;
    if (!field && s.op !== 'count') throw bad(`aggregate ${s.op} needs a field.`);
    if ((s.op === 'sum' || s.op === 'avg') && field && !NUMBER_TYPES.has(field.type)) {
      throw bad(`${s.op} needs a number or money field; ${field.name} is ${field.type}. Use count or countDistinct for it.`);
    }
    if ((s.op === 'min' || s.op === 'max') && field && !NUMBER_TYPES.has(field.type) && !DATE_TYPES.has(field.type)) {
      throw bad(`${s.op} needs a number, money or date field; ${field.name} is ${field.type}.`);
    }
    const alias = s.as ?? (field ? `${s.op}_${field.name}` : 'count');
    if (!ALIAS.test(alias)) throw bad(`alias "${alias}" must start with a letter and hold letters, digits and underscores (at most 50).`);
    if (seen.has(alias)) throw bad(`"${alias}" is used twice; give the aggregates different "as" names.`);
    seen.add(alias);
    return { alias, op: s.op, field, wire: `a${i}` };
  });
  const needsFetch = groups.some((g) => g.part) || aggregates.some((a) => a.op === 'countDistinct' || (a.op === 'count' && a.field));
  return { groups, aggregates, mode: needsFetch ? 'fetch' : 'apply' };
}

const APPLY_OPS: Record<string, string> = { sum: 'sum', avg: 'average', min: 'min', max: 'max' };

/** `filter(...)/groupby((_ownerid_value),aggregate($count as a0))` */
export function applyExpression(plan: AggregatePlan, filter?: string): string {
  const aggs = plan.aggregates
    .map((a) => (a.op === 'count' ? `$count as ${a.wire}` : `${propertyOf(a.field as SchemaField)} with ${APPLY_OPS[a.op]} as ${a.wire}`))
    .join(',');
  const body = plan.groups.length
    ? `groupby((${plan.groups.map((g) => propertyOf(g.field)).join(',')}),aggregate(${aggs}))`
    : `aggregate(${aggs})`;
  return filter ? `filter(${filter})/${body}` : body;
}

const FETCH_OPS: Record<AggregateOp, string> = {
  count: 'count',
  countDistinct: 'countcolumn',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
};

export function aggregateFetch(plan: AggregatePlan, schema: TableSchema, filter?: string): XmlElement {
  const attrs: XmlElement[] = [];
  for (const g of plan.groups) {
    if (!g.part) attrs.push(xml('attribute', { name: g.field.name, alias: g.aliases[0], groupby: 'true' }));
    else
      PART_GROUPINGS[g.part].forEach((d, j) =>
        attrs.push(xml('attribute', { name: g.field.name, alias: g.aliases[j], groupby: 'true', dategrouping: d })),
      );
  }
  for (const a of plan.aggregates) {
    const name = a.field?.name ?? schema.primaryIdAttribute;
    const op = a.op === 'count' && a.field ? 'countcolumn' : FETCH_OPS[a.op];
    attrs.push(xml('attribute', { name, alias: a.wire, aggregate: op, ...(a.op === 'countDistinct' ? { distinct: 'true' } : {}) }));
  }
  const children = [...attrs, ...(filter ? [odataToFetchFilter(filter, schema)] : [])];
  return xml('fetch', { aggregate: 'true' }, [xml('entity', { name: schema.logicalName }, children)]);
}

export function propertyOf(field: SchemaField): string {
  return isLookup(field) ? `_${field.name}_value` : field.name;
}

function bad(message: string): ToolError {
  return new ToolError('invalid_input', message);
}
