/**
 * OData rows → compact records for the model (DESIGN §7): `@odata.*` noise stripped, formatted values
 * next to raw values as `<field>@label` only where the label says something the value does not, lookups `_x_value`
 * named once as `x: {id, table, name}`, empty annotations dropped.
 */

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_TABLE = '@Microsoft.Dynamics.CRM.lookuplogicalname';

export interface LookupValue {
  id: string;
  table?: string;
  name?: string;
}

export interface FormatOptions {
  /** Keep fields whose value is null (when the caller named them in select). */
  keepNulls?: boolean;
}

/** What a row's property name says, worked out once per name: field names repeat on every row of every page. */
interface KeyInfo {
  /** An annotation (`x@OData...`, `@odata.etag`): read next to its property, never on its own. */
  annotation: boolean;
  /** `_x_value`: the lookup's name `x`. */
  lookupName?: string;
  formattedKey: string;
  lookupTableKey: string;
}

const keyInfos = new Map<string, KeyInfo>();
/** Distinct property names remembered at most (a busy server sees a few thousand). */
const MAX_KEY_INFOS = 10_000;

function keyInfo(key: string): KeyInfo {
  let info = keyInfos.get(key);
  if (info) return info;
  const lookup = /^_(.+)_value$/.exec(key);
  info = {
    annotation: key.includes('@'),
    ...(lookup ? { lookupName: lookup[1] } : {}),
    formattedKey: `${key}${FORMATTED}`,
    lookupTableKey: `${key}${LOOKUP_TABLE}`,
  };
  if (keyInfos.size >= MAX_KEY_INFOS) keyInfos.clear();
  keyInfos.set(key, info);
  return info;
}

export function formatRecord(row: Record<string, unknown>, options: FormatOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) {
    if (!Object.prototype.hasOwnProperty.call(row, key)) continue;
    const info = keyInfo(key);
    if (info.annotation) continue; // annotations are read next to their property
    const value = row[key];
    const name = info.lookupName;
    if (name !== undefined) {
      if (value === null || value === undefined) {
        if (options.keepNulls) out[name] = null;
        continue;
      }
      const l: LookupValue = { id: String(value) };
      const table = row[info.lookupTableKey];
      const label = row[info.formattedKey];
      if (typeof table === 'string' && table) l.table = table;
      if (typeof label === 'string' && label) l.name = label;
      out[name] = l;
      continue;
    }
    if (value === null || value === undefined) {
      if (options.keepNulls && !(key in out)) out[key] = null;
      continue;
    }
    if (isLookup(out[key])) continue; // already named from its `_x_value`
    const linkedTable = row[info.lookupTableKey];
    if (typeof linkedTable === 'string' && typeof value === 'string') {
      // A lookup of a FetchXML link-entity (`pc.parentcustomerid`) comes without the `_x_value` wrapping.
      const label = row[info.formattedKey];
      out[key] = {
        id: value,
        ...(linkedTable ? { table: linkedTable } : {}),
        ...(typeof label === 'string' && label ? { name: label } : {}),
      };
      continue;
    }
    out[key] = value;
    const formatted = row[info.formattedKey];
    if (typeof formatted === 'string' && addsInformation(value, formatted)) out[`${key}@label`] = formatted;
  }
  return out;
}

function isLookup(value: unknown): boolean {
  return !!value && typeof value === 'object' && typeof (value as LookupValue).id === 'string';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A formatted value is worth its characters unless it is empty or only repeats the raw value: `1,000` for 1000,
 * `Yes`/`No` for true/false (a two-option field with other labels keeps them), a date-only value in another
 * spelling. Choice labels, money (`$1,000.00`) and local date-times stay.
 */
function addsInformation(value: unknown, formatted: string): boolean {
  if (!formatted.trim()) return false;
  if (typeof value === 'string') return formatted !== value && !DATE_ONLY.test(value);
  if (typeof value === 'number') {
    const plain = formatted.replace(/[,\s\u00a0]/g, '');
    return plain !== String(value) && Number(plain) !== value;
  }
  if (typeof value === 'boolean') return formatted.toLowerCase() !== (value ? 'yes' : 'no') && formatted.toLowerCase() !== String(value);
  return true;
}
