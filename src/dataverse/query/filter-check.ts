import { ToolError } from '../../common/tool-error';
import { truncate } from '../client/odata';
import { hiddenNavigation, isScoped, outsideScope } from '../scope/table-scope';
import type { SchemaField, TableSchema } from '../metadata/schema-format';
import {
  CHOICE_TYPES,
  DATE_TYPES,
  didYouMean,
  fieldMap,
  isLookup,
  lookupFilterHint,
  lookupOfValueName,
  navigationNames,
  nearFields,
} from './field-names';

/**
 * Checks the property references of an OData `$filter` against the table's schema before it is sent, so a
 * misspelt field, a lookup used by its logical name, a quoted GUID, a choice compared with its label or a
 * date-time without a time zone is answered at once with the fix. Not an OData parser: a bounded tokenizer
 * finds paths and the literal each is compared with; anything it cannot judge is left to Dataverse.
 */

export type Token =
  | { kind: 'path'; text: string; pos: number }
  | { kind: 'string'; text: string; value: string; pos: number }
  | { kind: 'literal'; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'punct'; text: string; pos: number };

const MAX_TOKENS = 2000;
const KEYWORDS = new Set(['and', 'or', 'not', 'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has', 'in', 'null', 'true', 'false']);
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const PATH = /^[A-Za-z_][A-Za-z0-9_.]*(\/[A-Za-z_][A-Za-z0-9_.]*)*/;
const LITERAL = /^[0-9+-][0-9A-Za-z:.+-]*/;

export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    if (tokens.length > MAX_TOKENS) throw new ToolError('invalid_input', `filter has more than ${MAX_TOKENS} terms; simplify it.`);
    const c = filter[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = filter.slice(i);
    if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= filter.length)
          throw new ToolError('invalid_input', `filter has an unclosed text literal at position ${i}: close it with '.`);
        if (filter[j] === "'") {
          if (filter[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += filter[j++];
      }
      tokens.push({ kind: 'string', text: filter.slice(i, j + 1), value, pos: i });
      i = j + 1;
      continue;
    }
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ kind: 'literal', text: guid[0], pos: i });
      i += guid[0].length;
      continue;
    }
    const path = PATH.exec(rest);
    if (path) {
      const text = path[0];
      const lower = text.toLowerCase();
      tokens.push(KEYWORDS.has(lower) ? { kind: 'op', text: lower, pos: i } : { kind: 'path', text, pos: i });
      i += text.length;
      continue;
    }
    const lit = LITERAL.exec(rest);
    if (lit) {
      tokens.push({ kind: 'literal', text: lit[0], pos: i });
      i += lit[0].length;
      continue;
    }
    tokens.push({ kind: 'punct', text: c, pos: i });
    i++;
  }
  return tokens;
}

export interface FilterCheckContext {
  schema: TableSchema;
  /** target table → its primary name attribute (for navigation examples). */
  primaryNames: ReadonlyMap<string, string | undefined>;
}

/**
 * Under a table scope a navigation path must stay inside it: a lookup's navigation to an out-of-scope table is
 * refused, and so is a collection navigation (its table cannot be told from the schema).
 */
function scopeCheck(
  path: string,
  schema: TableSchema,
  fields: ReadonlyMap<string, unknown>,
  navs: ReadonlySet<string>,
  lambdas: Set<string>,
): void {
  if (!path.includes('/') || !isScoped(schema)) return;
  const head = path.split('/')[0];
  if (lambdas.has(head)) return;
  const hidden = hiddenNavigation(schema, head);
  if (hidden) throw outsideScope(hidden);
  if (fields.has(head) || navs.has(head)) return;
  throw new ToolError(
    'invalid_input',
    `"${truncate(path, 80)}" navigates to related records through a relationship; under this server's table scope a filter can follow only lookups (see "to" in get_table_schema). Filter the related table with list_records instead.`,
  );
}

/** Throws a ToolError that says how to fix the first problem found; returns quietly otherwise. */
export function checkFilter(filter: string, ctx: FilterCheckContext): void {
  const tokens = tokenize(filter);
  const fields = fieldMap(ctx.schema);
  const navigations = navigationNames(ctx.schema);
  const lambdaVars = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'path') continue;
    const next = tokens[k + 1];
    if (next?.text === ':') {
      lambdaVars.add(t.text); // any(o:o/name eq 'x')
      continue;
    }
    scopeCheck(t.text, ctx.schema, fields, navigations, lambdaVars);
    if (next?.text === '(') continue; // a function: contains(, Microsoft.Dynamics.CRM.LastXDays(
    const prev = tokens[k - 1];
    // Right after an operand stands an operator: "name eqq 1" is a syntax error for Dataverse to report.
    if (prev && (prev.kind === 'path' || prev.kind === 'string' || prev.kind === 'literal' || prev.text === ')')) continue;
    if (t.text.includes('.')) continue;
    if (tokens[k - 1]?.text === '=') continue; // PropertyName='x' style arguments are strings; names before = are parameters
    if (next?.text === '=') continue;
    const segments = t.text.split('/');
    const head = segments[0];
    if (lambdaVars.has(head)) continue;
    const field = fields.get(head) ?? lookupOfValueName(head, fields);
    if (!field) {
      if (navigations.has(head)) continue; // parentcustomerid_account/name: Dataverse checks the rest
      if (segments.length > 1) continue; // a collection navigation (contact_customer_accounts/any(...)): left to Dataverse
      const lower = head.toLowerCase();
      const caseHit = fields.get(lower) ?? lookupOfValueName(lower, fields);
      const near = caseHit ? [caseHit.name === lower ? lower : `_${caseHit.name}_value`] : nearFields(head, ctx.schema.fields);
      throw new ToolError(
        'invalid_input',
        `Field "${head}" in filter does not exist on ${ctx.schema.logicalName} (names are lowercase logical names).${didYouMean(near)} ` +
          `Call get_table_schema with table "${ctx.schema.logicalName}" (includeReadOnly: true) for every field name.`,
      );
    }
    const byName = head === field.name;
    if (isLookup(field) && byName) {
      // A lookup whose navigation property has its own name (ownerid) may be navigated by it.
      if (segments.length > 1 && Object.values(field.to ?? {}).includes(head)) continue;
      throw new ToolError('invalid_input', `${lookupFilterHint(field, ctx.primaryNames)} (in filter: ${truncate(filter, 120)})`);
    }
    if (segments.length > 1) continue;
    checkComparison(t.text, field, tokens, k, byName);
  }
}

/** `field op literal` (or `literal op field`): the literal must suit the field's type. */
function checkComparison(name: string, field: SchemaField, tokens: Token[], k: number, byName: boolean): void {
  let literal: Token | undefined;
  let op: string | undefined;
  if (tokens[k + 1]?.kind === 'op' && COMPARISONS.has(tokens[k + 1].text)) {
    op = tokens[k + 1].text;
    literal = tokens[k + 2];
  } else if (tokens[k - 1]?.kind === 'op' && COMPARISONS.has(tokens[k - 1].text)) {
    op = tokens[k - 1].text;
    literal = tokens[k - 2];
  }
  if (!literal || !op) return;
  const isId = !byName || field.type === 'guid';
  if (literal.kind === 'string' && isId && GUID.test(literal.value) && literal.value.length === 36) {
    throw new ToolError('invalid_input', `GUIDs are not quoted in OData filters: write ${name} ${op} ${literal.value}.`);
  }
  if (literal.kind === 'string' && CHOICE_TYPES.has(field.type)) {
    const options = parseOptions(field);
    if (field.type === 'bool') {
      throw new ToolError('invalid_input', `${name} is a yes/no field: compare it with true or false, e.g. ${name} ${op} true.`);
    }
    const hit = options.find((o) => o.label.toLowerCase() === literal.value.toLowerCase());
    const list = options.map((o) => `${o.value}=${o.label}`).join(', ');
    throw new ToolError(
      'invalid_input',
      hit
        ? `${name} is a choice: compare it with the number, not the label: ${name} ${op} ${hit.value} ("${hit.label}").`
        : `${name} is a choice: compare it with one of its numbers (${truncate(list, 300)}).`,
    );
  }
  if (DATE_TYPES.has(field.type)) {
    const raw = literal.kind === 'string' ? literal.value : literal.kind === 'literal' ? literal.text : '';
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw)) {
      throw new ToolError(
        'invalid_input',
        `The date-time ${raw} in filter has no time zone: write ${name} ${op} ${raw}Z (UTC) or with an offset such as ${raw}+01:00, unquoted.`,
      );
    }
    if (literal.kind === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw)) {
      throw new ToolError(
        'invalid_input',
        `Dates are not quoted in OData filters: write ${name} ${op} ${raw}${raw.includes('T') ? '' : 'T00:00:00Z'}.`,
      );
    }
  }
}

export function parseOptions(field: SchemaField): Array<{ value: number; label: string }> {
  if (!field.options) return [];
  return field.options.split('|').map((o) => {
    const eq = o.indexOf('=');
    return { value: Number(o.slice(0, eq)), label: o.slice(eq + 1).replace(/ \(state \d+\)$/, '') };
  });
}
