import type { SchemaField, TableSchema } from '../metadata/schema-format';
import type { LocalClock } from './local-time';
import { hiddenTargets } from '../scope/table-scope';

/** RetrieveRecordChangeHistory → compact change rows (newest first), values shown as elsewhere: labels, names, local time. */

const FV = '@OData.Community.Display.V1.FormattedValue';
/** Fields listed per change (a create lists every field set). */
export const FIELDS_PER_CHANGE = 25;
/** Characters of one old or new value. */
export const VALUE_MAX = 200;

type Row = Record<string, unknown>;

export interface AuditRow extends Row {
  createdon?: string;
  _userid_value?: string;
  action?: number;
  operation?: number;
}

export interface AuditDetailRaw extends Row {
  '@odata.type'?: string;
  AuditRecord?: AuditRow;
  OldValue?: Row;
  NewValue?: Row;
}

export interface HistoryRaw {
  AuditDetailCollection?: { AuditDetails?: AuditDetailRaw[]; MoreRecords?: boolean; TotalRecordCount?: number };
}

export interface FieldChange {
  field: string;
  label: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface ChangeRow {
  changedOn?: string;
  changedBy?: { id: string; name?: string };
  operation?: string;
  fields: FieldChange[];
  /** Fields left out of a long change (a create lists everything that was set). */
  moreFields?: number;
}

const OPERATIONS: Record<number, string> = { 1: 'Create', 2: 'Update', 3: 'Delete', 4: 'Access' };

/**
 * One row per audit detail. Who/when come from the detail's AuditRecord when Dataverse includes it,
 * otherwise from `audits` rows at the same position (both lists are newest first).
 */
export function toChanges(
  details: AuditDetailRaw[],
  audits: AuditRow[],
  schema: TableSchema,
  labels: Map<string, string>,
  clock: LocalClock,
): ChangeRow[] {
  const fields = new Map(schema.fields.map((f) => [f.name, f] as const));
  return details.map((d, i) => {
    const who = d.AuditRecord ?? audits[i];
    const row: Omit<ChangeRow, 'fields'> = {};
    if (who) {
      const on = clock(who.createdon, who[`createdon${FV}`]);
      if (on) row.changedOn = on;
      if (typeof who._userid_value === 'string') {
        const name = who[`_userid_value${FV}`];
        row.changedBy = { id: who._userid_value, ...(typeof name === 'string' ? { name } : {}) };
      }
      const action = who[`action${FV}`];
      row.operation = typeof action === 'string' ? action : OPERATIONS[Number(who.operation ?? who.action)];
    }
    if (!row.operation) row.operation = operationOf(d);
    const all = changedFields(d, fields, labels, clock);
    const out: ChangeRow = { ...row, fields: all.slice(0, FIELDS_PER_CHANGE) };
    if (all.length > FIELDS_PER_CHANGE) out.moreFields = all.length - FIELDS_PER_CHANGE;
    return out;
  });
}

function operationOf(d: AuditDetailRaw): string | undefined {
  const type = d['@odata.type'] ?? '';
  if (!/AttributeAuditDetail$/.test(type)) return undefined;
  const hasOld = Object.keys(d.OldValue ?? {}).some((k) => !k.startsWith('@') && !k.includes('@'));
  return hasOld ? 'Update' : 'Create';
}

function changedFields(d: AuditDetailRaw, fields: Map<string, SchemaField>, labels: Map<string, string>, clock: LocalClock): FieldChange[] {
  const oldV = d.OldValue ?? {};
  const newV = d.NewValue ?? {};
  const keys = [...new Set([...Object.keys(newV), ...Object.keys(oldV)])].filter((k) => !k.includes('@'));
  return keys.map((key) => {
    const name = /^_(.+)_value$/.exec(key)?.[1] ?? key;
    const f = fields.get(name);
    return {
      field: name,
      label: labels.get(name) ?? f?.label ?? name,
      oldValue: shown(oldV, key, f, clock),
      newValue: shown(newV, key, f, clock),
    };
  });
}

/** A value as the model should read it: choice label, lookup name, local date-time, money as formatted. */
function shown(values: Row, key: string, f: SchemaField | undefined, clock: LocalClock): unknown {
  if (!(key in values)) return null;
  const raw = values[key];
  if (raw === null || raw === undefined) return null;
  const formatted = values[`${key}${FV}`];
  const type = f?.type ?? '';
  let out: unknown = raw;
  if (key.startsWith('_') || f?.to) out = typeof formatted === 'string' && !outsideScope(values, key, f) ? formatted : raw;
  else if (type === 'choice' || type === 'state' || type === 'status' || type === 'choices')
    out = typeof formatted === 'string' ? formatted : (optionLabel(f!, raw) ?? raw);
  else if (type === 'datetime') out = clock(raw, formatted) ?? raw;
  else if (type === 'money' && typeof formatted === 'string') out = formatted;
  if (typeof out === 'string' && out.length > VALUE_MAX) out = `${out.slice(0, VALUE_MAX)}…`;
  return out;
}

/** A lookup value that points (or may point) to a table outside the table scope: shown by id only, without its name. */
function outsideScope(values: Row, key: string, f: SchemaField | undefined): boolean {
  if (!f?.outsideScope) return false;
  const table = values[`${key}@Microsoft.Dynamics.CRM.lookuplogicalname`];
  return typeof table !== 'string' || hiddenTargets(f).some((h) => h.table === table);
}

function optionLabel(f: SchemaField, value: unknown): string | undefined {
  for (const part of (f.options ?? '').split('|')) {
    const eq = part.indexOf('=');
    if (eq > 0 && Number(part.slice(0, eq)) === value) return part.slice(eq + 1).replace(/ \(state \d+\)$/, '');
  }
  return undefined;
}
