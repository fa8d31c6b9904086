import { ToolError } from '../../common/tool-error';

/**
 * Validation and encoding of everything that ends up in a Dataverse URL. Nothing reaches the
 * client unchecked: table names, ids and field names are validated against strict patterns, and
 * every query value is percent-encoded so that a `$filter` can never add another query option.
 */

/** Logical names: lowercase letters, digits and underscores (publisher prefixes included). */
const LOGICAL_NAME = /^[a-z][a-z0-9_]{0,127}$/;
/** Entity set names are usually lowercase, but custom ones keep their schema case (`cr8a1_Projects`). */
const ENTITY_SET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;
/** Attribute names in $select/$orderby, including lookup value properties (`_parentcustomerid_value`). */
const FIELD_NAME = /^_?[A-Za-z][A-Za-z0-9_]{0,127}$/;
/** Comma-separated FIELD_NAMEs with nothing else (no spaces, no empty items). */
const PLAIN_FIELD_LIST = /^_?[A-Za-z][A-Za-z0-9_]{0,127}(?:,_?[A-Za-z][A-Za-z0-9_]{0,127})*$/;
const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

export const MAX_FILTER_LENGTH = 4000;

export function isLogicalName(value: string): boolean {
  return LOGICAL_NAME.test(value);
}

export function isEntitySetName(value: string): boolean {
  return ENTITY_SET_NAME.test(value);
}

/** A table as the user typed it: trimmed, must look like a logical name or an entity set name. */
export function validateTableName(input: string): string {
  const value = (input ?? '').trim();
  if (!ENTITY_SET_NAME.test(value)) {
    throw new ToolError(
      'invalid_input',
      `"${truncate(value, 60)}" is not a valid table name: use a logical name like "contact" or an entity set name like "contacts" ` +
        '(letters, digits and underscores only). Call list_tables to find the right name.',
    );
  }
  return value;
}

/** A record id: a GUID, braces allowed; returned lowercase without braces. */
export function validateGuid(input: string, what = 'id'): string {
  const match = GUID.exec((input ?? '').trim());
  if (!match) {
    throw new ToolError(
      'invalid_input',
      `"${truncate(String(input), 60)}" is not a valid ${what}: a record id is a GUID like 00000000-0000-0000-0000-000000000000.`,
    );
  }
  return match[1].toLowerCase();
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** `select` as an array or a comma-separated list; every name validated. */
export function parseFieldList(input: string | string[] | undefined, what = 'select'): string[] | undefined {
  if (input === undefined) return undefined;
  // The usual form, `fullname,emailaddress1`: valid names as they stand, so only duplicates are left to drop.
  if (typeof input === 'string' && PLAIN_FIELD_LIST.test(input)) return [...new Set(input.split(','))];
  const parts = (Array.isArray(input) ? input : input.split(','))
    .flatMap((p) => String(p).split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return undefined;
  const bad = parts.filter((p) => !FIELD_NAME.test(p));
  if (bad.length) {
    throw new ToolError(
      'invalid_input',
      `${what} contains invalid field names: ${bad.map((b) => `"${truncate(b, 40)}"`).join(', ')}. ` +
        'Use logical field names (letters, digits, underscores), e.g. ["fullname","emailaddress1"]; call get_table_schema to see them.',
    );
  }
  return [...new Set(parts)];
}

/** `$orderby`: comma-separated `field [asc|desc]` items. */
export function parseOrderBy(input: string | undefined): string | undefined {
  if (input === undefined || !input.trim()) return undefined;
  const items = input
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const item of items) {
    const [field, dir, ...rest] = item.split(/\s+/);
    if (!FIELD_NAME.test(field) || rest.length || (dir !== undefined && !/^(asc|desc)$/i.test(dir))) {
      throw new ToolError(
        'invalid_input',
        `orderby "${truncate(input, 80)}" is not valid: use "field" or "field desc", comma-separated, e.g. "createdon desc,fullname".`,
      );
    }
  }
  return items.map((i) => i.split(/\s+/).join(' ')).join(',');
}

/** A `$filter` is passed through as given (Dataverse reports its syntax errors), only bounded in size. */
export function validateFilter(input: string | undefined): string | undefined {
  if (input === undefined || !input.trim()) return undefined;
  if (input.length > MAX_FILTER_LENGTH) {
    throw new ToolError('invalid_input', `filter is ${input.length} characters long; the limit is ${MAX_FILTER_LENGTH}. Simplify it.`);
  }
  return input.trim();
}

/**
 * Percent-encodes one query value. `encodeURIComponent` escapes `&`, `=`, `#`, `+`, `%`, `$`, `?`,
 * spaces and control characters, so a value can never end itself or start another option;
 * quotes and parentheses stay readable (they have no meaning in the query-string syntax).
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value);
}

export type QueryOptions = Partial<
  Record<'$select' | '$filter' | '$orderby' | '$top' | '$expand' | '$count' | '$apply', string | undefined>
>;

/** Builds `?$select=...&$filter=...` from options; keys are fixed, values encoded, empty ones left out. */
export function buildQuery(options: QueryOptions): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === '') continue;
    parts.push(`${key}=${encodeQueryValue(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** An OData string literal: single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `contacts(<guid>)` */
export function recordPath(entitySetName: string, id: string): string {
  if (!ENTITY_SET_NAME.test(entitySetName))
    throw new ToolError('invalid_input', `"${truncate(entitySetName, 60)}" is not a valid entity set name.`);
  return `${entitySetName}(${validateGuid(id)})`;
}

/** `EntityDefinitions(LogicalName='contact')` */
export function entityDefinitionPath(logicalName: string): string {
  if (!LOGICAL_NAME.test(logicalName)) throw new ToolError('invalid_input', `"${truncate(logicalName, 60)}" is not a valid logical name.`);
  return `EntityDefinitions(LogicalName='${logicalName}')`;
}

export function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
