import { ToolError } from '../../common/tool-error';
import type { TableSchema } from '../metadata/schema-format';
import { didYouMean, fieldMap, isLookup, lookupOfValueName, nearFields } from './field-names';

/**
 * `select` and `orderby` names checked against the schema: a lookup named as shown in records
 * (`parentcustomerid`) becomes the `_parentcustomerid_value` property Dataverse wants; an unknown
 * name is refused locally with "did you mean", before any request.
 */
export function resolveFieldNames(names: string[], schema: TableSchema, where: 'select' | 'orderby'): string[] {
  const fields = fieldMap(schema);
  const out: string[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const field = fields.get(name);
    if (field) out.push(isLookup(field) ? `_${name}_value` : name);
    else if (lookupOfValueName(name, fields)) out.push(name);
    else unknown.push(name);
  }
  if (unknown.length) {
    const parts = unknown.map((u) => {
      const lower = u.toLowerCase();
      const near = fields.has(lower) ? [lower] : nearFields(u, schema.fields);
      return `"${u}"${near.length ? ` (${didYouMean(near).trim()})` : ''}`;
    });
    throw new ToolError(
      'invalid_input',
      `${where} names ${unknown.length === 1 ? 'a field' : 'fields'} that ${unknown.length === 1 ? 'does' : 'do'} not exist on ${schema.logicalName}: ` +
        `${parts.join(', ')}. Field names are lowercase logical names; call get_table_schema with table "${schema.logicalName}" to see them.`,
    );
  }
  return [...new Set(out)];
}

/** `"createdon desc,fullname"` (already syntax-checked) with each field resolved. */
export function resolveOrderBy(orderby: string, schema: TableSchema): string {
  const items = orderby.split(',').map((i) => i.split(' '));
  resolveFieldNames(
    items.map((i) => i[0]),
    schema,
    'orderby',
  ); // one error naming every unknown field
  return items.map(([field, dir]) => `${resolveFieldNames([field], schema, 'orderby')[0]}${dir ? ` ${dir}` : ''}`).join(',');
}
