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

export function formatRecord(row: Record<string, unknown>, options: FormatOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.includes('@')) continue; // annotations are read next to their property
    const lookup = /^_(.+)_value$/.exec(key);
    if (lookup) {
      const name = lookup[1];
      if (value === null || value === undefined) {
        if (options.keepNulls) out[name] = null;
        continue;
      }
      const l: LookupValue = { id: String(value) };
      const table = row[`${key}${LOOKUP_TABLE}`];
      const label = row[`${key}${FORMATTED}`];
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
    const linkedTable = row[`${key}${LOOKUP_TABLE}`];
    if (typeof linkedTable === 'string' && typeof value === 'string') {
      // A lookup of a FetchXML link-entity (`pc.parentcustomerid`) comes without the `_x_value` wrapping.
      const label = row[`${key}${FORMATTED}`];
      out[key] = {
        id: value,
        ...(linkedTable ? { table: linkedTable } : {}),
        ...(typeof label === 'string' && label ? { name: label } : {}),
      };
      continue;
    }
    out[key] = value;
    const formatted = row[`${key}${FORMATTED}`];
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
