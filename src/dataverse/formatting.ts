/**
 * OData rows → compact records for the model (DESIGN §7): `@odata.*` noise stripped, formatted values
 * next to raw values as `<field>@label`, lookups `_x_value` named as `x: {id, table, name}`.
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
      if (typeof table === 'string') l.table = table;
      if (typeof label === 'string') l.name = label;
      out[name] = l;
      continue;
    }
    if (value === null || value === undefined) {
      if (options.keepNulls) out[key] = null;
      continue;
    }
    const linkedTable = row[`${key}${LOOKUP_TABLE}`];
    if (typeof linkedTable === 'string' && typeof value === 'string') {
      // A lookup of a FetchXML link-entity (`pc.parentcustomerid`) comes without the `_x_value` wrapping.
      const label = row[`${key}${FORMATTED}`];
      out[key] = { id: value, table: linkedTable, ...(typeof label === 'string' ? { name: label } : {}) };
      continue;
    }
    out[key] = value;
    const formatted = row[`${key}${FORMATTED}`];
    if (typeof formatted === 'string' && addsInformation(value, formatted)) out[`${key}@label`] = formatted;
  }
  return out;
}

/** A formatted value is worth its characters unless it only repeats the raw value (`1,000` for 1000). */
function addsInformation(value: unknown, formatted: string): boolean {
  if (typeof value === 'string') return formatted !== value;
  if (typeof value === 'number') {
    const plain = formatted.replace(/[,\s\u00a0]/g, '');
    return plain !== String(value) && Number(plain) !== value;
  }
  return true;
}
