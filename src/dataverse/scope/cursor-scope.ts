import type { MetadataService } from '../metadata/metadata.service';
import type { TableSchema } from '../metadata/schema-format';
import type { XmlElement } from '../query/xml';
import { checkFilter } from '../query/filter-check';
import { outsideScope } from './table-scope';

/**
 * A cursor is signed, yet it may have been issued before the table scope changed: its FetchXML (every link-entity)
 * and its OData $filter (navigation paths) are checked against the scope again before the next page is asked for.
 */
export async function assertCursorInScope(
  state: { l: string; x?: string },
  schema: () => Promise<TableSchema>,
  metadata: Pick<MetadataService, 'scope'>,
  unpack: (packed: string) => XmlElement,
): Promise<void> {
  if (!metadata.scope.active) return;
  if (state.x) {
    let fetch: XmlElement;
    try {
      fetch = unpack(state.x);
    } catch {
      return; // the caller refuses a cursor it cannot read
    }
    for (const name of linkedTables(fetch)) if (!metadata.scope.allows(name)) throw outsideScope(name);
    return;
  }
  const query = state.l.indexOf('?');
  const filter = query < 0 ? null : new URLSearchParams(state.l.slice(query + 1)).get('$filter');
  if (!filter || !filter.includes('/')) return;
  try {
    checkFilter(filter, { schema: await schema(), primaryNames: new Map() });
  } catch (error) {
    // Only the scope's refusal matters here; the filter itself was checked when the cursor was issued.
    if ((error as { details?: { outsideScope?: boolean } }).details?.outsideScope) throw error;
  }
}

/** Names of every entity and link-entity of a fetch. */
export function linkedTables(el: XmlElement): string[] {
  const out: string[] = [];
  const walk = (e: XmlElement) => {
    if ((e.name === 'entity' || e.name === 'link-entity') && e.attrs.name) out.push(e.attrs.name.toLowerCase());
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/**
 * A view's fetch under the scope: an outer link-entity to an out-of-scope table that nothing refers to (it only adds
 * columns) is dropped; any other link-entity to an out-of-scope table refuses the view.
 */
export function viewWithinScope(fetch: XmlElement, scope: Pick<MetadataService, 'scope'>['scope'] | undefined): XmlElement {
  if (!scope?.active) return fetch;
  const referenced = new Set<string>();
  const collect = (e: XmlElement) => {
    if (e.attrs.entityname) referenced.add(e.attrs.entityname);
    e.children.forEach(collect);
  };
  collect(fetch);
  const walk = (e: XmlElement) => {
    e.children = e.children.filter((c) => {
      const name = c.attrs.name?.toLowerCase() ?? '';
      if (c.name !== 'link-entity' || scope.allows(name)) return true;
      if (c.attrs['link-type'] === 'outer' && !(c.attrs.alias && referenced.has(c.attrs.alias))) return false;
      throw outsideScope(name);
    });
    e.children.forEach(walk);
  };
  walk(fetch);
  return fetch;
}
