import type { TableScope } from './table-scope';
import type { XmlElement } from '../query/xml';
import { outsideScope } from './table-scope';

/**
 * Notes (`annotation`) are about a record (`objectid`): under a table scope a note about a record of an out-of-scope
 * table is refused by get_record and withheld from list_records, so its regarding lookup is always read with it.
 */
const REGARDING = '_objectid_value';

export function regardingColumn<C extends { kind: string; fields?: string[] }>(
  table: string,
  columns: C,
  scope: TableScope | undefined,
): C {
  if (!scope?.active || table !== 'annotation' || !columns.fields || columns.fields.includes(REGARDING)) return columns;
  return { ...columns, fields: [...columns.fields, REGARDING] } as C;
}

function regardingTable(record: Record<string, unknown>): string | undefined {
  const about = record.objectid as { table?: unknown } | null | undefined;
  return typeof about?.table === 'string' ? about.table : undefined;
}

/** get_record of a note about an out-of-scope record: refused like that table. */
export function assertNoteInScope(table: string, record: Record<string, unknown>, scope: TableScope | undefined): void {
  if (!scope?.active || table !== 'annotation') return;
  const about = regardingTable(record);
  if (about && !scope.allows(about)) throw outsideScope(about);
}

/** list_records of notes: those about out-of-scope records left out (how many is returned, never which). */
export function withholdNotes(
  table: string,
  rows: Array<Record<string, unknown>>,
  scope: TableScope | undefined,
): { rows: Array<Record<string, unknown>>; withheld: number } {
  if (!scope?.active || table !== 'annotation') return { rows, withheld: 0 };
  const kept = rows.filter((r) => {
    const about = regardingTable(r);
    return !about || scope.allows(about);
  });
  return { rows: kept, withheld: rows.length - kept.length };
}

/** A FetchXML query of notes reads their regarding lookup too (not an aggregate one, whose rows are groups). */
export function regardingAttribute(table: string, fetch: XmlElement, scope: TableScope | undefined): XmlElement {
  const entity = fetch.children.find((c) => c.name === 'entity');
  if (!scope?.active || table !== 'annotation' || !entity || fetch.attrs.aggregate === 'true') return fetch;
  const has = entity.children.some((c) => c.name === 'all-attributes' || (c.name === 'attribute' && c.attrs.name === 'objectid'));
  if (!has) entity.children.unshift({ name: 'attribute', attrs: { name: 'objectid' }, children: [], text: '' });
  return fetch;
}
