import { editDistance } from '../../common/edit-distance';
import { truncate } from '../client/odata';
import type { SchemaField, TableSchema } from '../metadata/schema-format';

/** Field types that are lookups: read as `_<name>_value`, navigated through `to`'s navigation properties. */
export const LOOKUP_TYPES = new Set(['lookup', 'customer', 'owner']);
export const CHOICE_TYPES = new Set(['choice', 'state', 'status', 'bool']);
export const NUMBER_TYPES = new Set(['int', 'bigint', 'decimal', 'float', 'money']);
export const DATE_TYPES = new Set(['datetime', 'date']);

export function isLookup(field: SchemaField): boolean {
  return LOOKUP_TYPES.has(field.type) || !!field.to;
}

/** Nearest field names of any kind (read-only ones included: filters often use createdon), by name and label. */
export function nearFields(input: string, fields: SchemaField[], max = 3): string[] {
  const q = input.toLowerCase();
  const limit = Math.max(2, Math.floor(q.length / 3));
  return fields
    .map((f) => {
      const names = [f.name, ...(f.label ? [f.label.toLowerCase().replace(/[^a-z0-9]/g, '')] : [])];
      let score = Math.min(...names.map((n) => editDistance(q, n)));
      if (q.length >= 4 && names.some((n) => n.includes(q))) score = Math.min(score, 1.5);
      return { name: f.name, score };
    })
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

export function didYouMean(names: string[]): string {
  return names.length ? ` Did you mean ${names.map((n) => `"${n}"`).join(', ')}?` : '';
}

export function unknownFieldMessage(input: string, schema: TableSchema, where: string): string {
  return (
    `Field "${truncate(input, 80)}" in ${where} does not exist on ${schema.logicalName}.${didYouMean(nearFields(input, schema.fields))} ` +
    `Call get_table_schema with table "${schema.logicalName}" (includeReadOnly: true) for every field name.`
  );
}

const fieldMaps = new WeakMap<TableSchema, ReadonlyMap<string, SchemaField>>();

/** The schema's fields by name, built once per schema object (cached schemas are shared and frozen): read only. */
export function fieldMap(schema: TableSchema): ReadonlyMap<string, SchemaField> {
  let map = fieldMaps.get(schema);
  if (!map) {
    map = new Map(schema.fields.map((f) => [f.name, f]));
    fieldMaps.set(schema, map);
  }
  return map;
}

const navigationSets = new WeakMap<TableSchema, ReadonlySet<string>>();

/** The navigation property names of the schema's lookups (`parentcustomerid_account`), once per schema object. */
export function navigationNames(schema: TableSchema): ReadonlySet<string> {
  let names = navigationSets.get(schema);
  if (!names) {
    names = new Set(schema.fields.flatMap((f) => Object.values(f.to ?? {})));
    navigationSets.set(schema, names);
  }
  return names;
}

/** `_parentcustomerid_value` → the `parentcustomerid` lookup field, if it is one. */
export function lookupOfValueName(name: string, fields: ReadonlyMap<string, SchemaField>): SchemaField | undefined {
  const m = /^_(.+)_value$/.exec(name);
  const f = m ? fields.get(m[1]) : undefined;
  return f && isLookup(f) ? f : undefined;
}

/**
 * How to filter on a lookup: by id, or through each target's navigation property on the target's primary name.
 * `primaryNames` maps target table → its primary name attribute.
 */
export function lookupFilterHint(field: SchemaField, primaryNames: ReadonlyMap<string, string | undefined>, example = 'Contoso'): string {
  const navs = Object.entries(field.to ?? {}).map(([table, nav]) => `${nav}/${primaryNames.get(table) ?? 'name'} eq '${example}'`);
  return (
    `"${field.name}" is a lookup${field.to ? ` (to ${Object.keys(field.to).join(', ')})` : ''}: filter on its id with ` +
    `_${field.name}_value eq <guid> (unquoted)` +
    (navs.length ? `, or on the related record's fields through its navigation property: ${navs.join(' or ')}.` : '.')
  );
}
