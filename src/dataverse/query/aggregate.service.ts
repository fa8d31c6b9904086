import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient, FORMATTED_ANNOTATIONS } from '../client/dataverse.client';
import { formatRecord } from '../records/formatting';
import { maskRecord } from '../scope/table-scope';
import { MetadataService } from '../metadata/metadata.service';
import { buildQuery, validateFilter } from '../client/odata';
import { aggregateFetch, AggregatePlan, AggregateSpec, applyExpression, GroupKey, planAggregate, propertyOf } from './aggregate-plan';
import { FetchRunner } from './fetch-runner';
import { checkFilter } from './filter-check';
import { primaryNamesOf } from './list-plan';

export const DEFAULT_GROUPS = 50;
export const MAX_GROUPS = 1000;
/** The service's limit on rows behind one aggregate query. */
export const AGGREGATE_ROW_LIMIT = 50_000;

export interface AggregateInput {
  table: string;
  filter?: string;
  groupBy?: string[];
  aggregates?: AggregateSpec[];
  top?: number;
}

export interface AggregateResult {
  table: string;
  groups: Record<string, unknown>[];
  /** Groups before `top` cut the list. */
  groupCount: number;
  truncated?: true;
  /** `<key>` columns, then aliases, in order (for the text table). */
  columns: string[];
}

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_TABLE = '@Microsoft.Dynamics.CRM.lookuplogicalname';

@Injectable()
export class AggregateService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly fetchRunner: FetchRunner,
  ) {}

  async aggregate(input: AggregateInput): Promise<AggregateResult> {
    const table = await this.metadata.resolveTable(input.table);
    const schema = await this.metadata.getSchema(table.logicalName);
    const top = input.top ?? DEFAULT_GROUPS;
    if (!Number.isInteger(top) || top < 1 || top > MAX_GROUPS)
      throw new ToolError('invalid_input', `top must be a whole number from 1 to ${MAX_GROUPS}.`);
    const plan = planAggregate(schema, input.groupBy, input.aggregates);
    const filter = validateFilter(input.filter);
    if (filter) checkFilter(filter, { schema, primaryNames: await primaryNamesOf(schema, this.metadata) });
    const ctx = { table: table.logicalName };
    let rows: Record<string, unknown>[];
    try {
      if (plan.mode === 'apply') {
        const res = await this.dv.getRelative<{ value: Record<string, unknown>[] }>(
          `${table.entitySetName}${buildQuery({ $apply: applyExpression(plan, filter) })}`,
          { prefer: { annotations: FORMATTED_ANNOTATIONS }, context: ctx },
        );
        rows = res.body.value ?? [];
      } else {
        rows = (await this.fetchRunner.run(table.entitySetName, aggregateFetch(plan, schema, filter), ctx)).rows;
      }
    } catch (error) {
      if (error instanceof ToolError && /AggregateQueryRecordLimit|0x8004e023/i.test(`${error.message} ${String(error.details?.code)}`)) {
        throw new ToolError(
          'invalid_input',
          `More than ${AGGREGATE_ROW_LIMIT.toLocaleString('en-US')} ${table.logicalName} records are behind this aggregate (the service's AggregateQueryRecordLimit). ` +
            'Narrow the filter (e.g. a date range or a status) and aggregate the parts.',
        );
      }
      throw error;
    }
    const groups = rows.map((r) => maskRecord(plan.mode === 'apply' ? applyGroup(r, plan) : fetchGroup(r, plan), this.metadata.scope));
    const first = plan.aggregates[0].alias;
    groups.sort((a, b) => num(b[first]) - num(a[first]));
    const shown = groups.slice(0, top);
    return {
      table: table.logicalName,
      groups: shown,
      groupCount: groups.length,
      ...(groups.length > top ? { truncated: true as const } : {}),
      columns: [...plan.groups.map((g) => g.key), ...plan.aggregates.map((a) => a.alias)],
    };
  }
}

/** Sort key: numbers as they are, dates by their time, anything else last. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** An `$apply` row: group properties as in records (lookups named), aggregates renamed to their aliases. */
function applyGroup(row: Record<string, unknown>, plan: AggregatePlan): Record<string, unknown> {
  const formatted = formatRecord(row);
  const out: Record<string, unknown> = {};
  for (const g of plan.groups) {
    const name = g.field.name;
    out[g.key] = formatted[name] ?? null;
    if (formatted[`${name}@label`] !== undefined) out[`${g.key}@label`] = formatted[`${name}@label`];
  }
  for (const a of plan.aggregates) {
    out[a.alias] = aggregateValue(row[a.wire]);
    if (formatted[`${a.wire}@label`] !== undefined) out[`${a.alias}@label`] = formatted[`${a.wire}@label`];
  }
  return out;
}

/** A FetchXML aggregate row, keyed by our aliases. */
function fetchGroup(row: Record<string, unknown>, plan: AggregatePlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const g of plan.groups) {
    if (g.part) {
      out[g.key] = datePart(g, row);
      continue;
    }
    const alias = g.aliases[0];
    const value = row[alias] ?? row[`_${alias}_value`];
    const key = row[alias] !== undefined ? alias : `_${alias}_value`;
    const label = row[`${key}${FORMATTED}`];
    const lookupTable = row[`${key}${LOOKUP_TABLE}`];
    if (value === undefined || value === null) out[g.key] = null;
    else if (propertyOf(g.field) !== g.field.name) {
      out[g.key] = {
        id: String(value),
        ...(typeof lookupTable === 'string' ? { table: lookupTable } : {}),
        ...(typeof label === 'string' ? { name: label } : {}),
      };
    } else {
      out[g.key] = value;
      if (typeof label === 'string' && label !== String(value)) out[`${g.key}@label`] = label;
    }
  }
  for (const a of plan.aggregates) {
    out[a.alias] = aggregateValue(row[a.wire]);
    const label = row[`${a.wire}${FORMATTED}`];
    if (typeof label === 'string' && label.replace(/[,\s]/g, '') !== String(out[a.alias])) out[`${a.alias}@label`] = label;
  }
  return out;
}

/** year 2026 + month 3 → "2026-03"; quarter → "2026-Q1"; week → "2026-W05"; day → "2026-03-05"; year → 2026. */
function datePart(g: GroupKey, row: Record<string, unknown>): string | number | null {
  const values = g.aliases.map((a) => numeric(row[a]));
  if (values.some((v) => typeof v !== 'number')) return null;
  const [y, a, b] = values as number[];
  const two = (n: number) => String(n).padStart(2, '0');
  switch (g.part) {
    case 'year':
      return y;
    case 'quarter':
      return `${y}-Q${a}`;
    case 'month':
      return `${y}-${two(a)}`;
    case 'week':
      return `${y}-W${two(a)}`;
    default:
      return `${y}-${two(a)}-${two(b)}`;
  }
}

/** A number, or the raw value when it is not one (min/max of a date). */
function aggregateValue(v: unknown): unknown {
  return numeric(v) ?? (typeof v === 'string' ? v : null);
}

function numeric(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}
