import { odataString } from '../client/odata';
import type { TableInfo } from '../metadata/metadata.service';
import type { SearchHit } from './search-response';

/**
 * The bounded primary-name search used when Dataverse search is off: `contains(<primary name>, text)`
 * per table, a few tables at a time, ranked here (exact > prefix > word prefix > contains).
 */

/** Everyday tables searched when the caller names none (those the environment has). */
export const FALLBACK_DEFAULT_TABLES = ['account', 'contact', 'lead', 'opportunity', 'incident'];
/** Table requests running at once. */
export const FALLBACK_PARALLEL = 3;

/** Search syntax (`*`, quotes, `+`/`-`/`|` operators) means nothing to `contains`: plain words remain. */
export function plainText(query: string): string {
  return query
    .replace(/["*~^()]/g, ' ')
    .replace(/(^|\s)[+\-|]+/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A `contains` argument: quotes doubled (OData), and the characters Dataverse reads as wildcards
 * inside string functions (`%`, `_`, `[`) bracketed so they match themselves.
 */
export function containsLiteral(text: string): string {
  return odataString(text.replace(/[[%_]/g, (c) => `[${c}]`));
}

export function nameFilter(table: TableInfo, text: string): string {
  return `contains(${table.primaryNameAttribute},${containsLiteral(text)})`;
}

/** Relevance of a name for the text: 3 exact, 2 prefix, 1.5 a word starts with it, 1 contains. */
export function nameScore(name: string, text: string): number {
  const n = name.toLowerCase();
  const t = text.toLowerCase();
  if (n === t) return 3;
  if (n.startsWith(t)) return 2;
  if (n.split(/[\s,.;:/()-]+/).some((w) => w.startsWith(t))) return 1.5;
  return 1;
}

/** Best first; equal scores by name, then table, so the order is stable. */
export function rankHits(hits: SearchHit[], top: number): SearchHit[] {
  return [...hits]
    .sort((a, b) => b.score - a.score || (a.name ?? '').localeCompare(b.name ?? '') || a.table.localeCompare(b.table))
    .slice(0, top);
}
