import { editDistance, worthSuggesting } from '../../common/edit-distance';

/** One table of the table list (cached per user). */
export interface TableInfo {
  logicalName: string;
  displayName?: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute?: string;
}

interface TableIndex {
  byLogicalName: Map<string, TableInfo>;
  bySetName: Map<string, TableInfo>;
  bySetNameLower: Map<string, TableInfo>;
}

const tableIndexes = new WeakMap<TableInfo[], TableIndex>();

/**
 * The table a name stands for in a table list: its logical name (any case), its entity set name, or that in another
 * case — in that order. A frozen list (memory mode hands out the cached list itself) is indexed once and looked up;
 * any other list (a fresh copy from Redis on every read) is searched.
 */
export function findTable(tables: TableInfo[], name: string): TableInfo | undefined {
  const lower = name.toLowerCase();
  if (!Object.isFrozen(tables)) {
    return (
      tables.find((t) => t.logicalName === lower) ??
      tables.find((t) => t.entitySetName === name) ??
      tables.find((t) => t.entitySetName.toLowerCase() === lower)
    );
  }
  let index = tableIndexes.get(tables);
  if (!index) {
    index = { byLogicalName: new Map(), bySetName: new Map(), bySetNameLower: new Map() };
    // The first of equal names wins, as a search from the start would find it.
    for (const t of tables) {
      if (!index.byLogicalName.has(t.logicalName)) index.byLogicalName.set(t.logicalName, t);
      if (!index.bySetName.has(t.entitySetName)) index.bySetName.set(t.entitySetName, t);
      const lower = t.entitySetName.toLowerCase();
      if (!index.bySetNameLower.has(lower)) index.bySetNameLower.set(lower, t);
    }
    tableIndexes.set(tables, index);
  }
  return index.byLogicalName.get(lower) ?? index.bySetName.get(name) ?? index.bySetNameLower.get(lower);
}

/** "Did you mean": nearest logical/entity set/display names by edit distance, plus substring matches. */
export function suggestTables(input: string, tables: TableInfo[], max = 3): TableInfo[] {
  if (!worthSuggesting(input)) return [];
  const q = input.toLowerCase();
  const scored = tables.map((t) => {
    const candidates = [t.logicalName, t.entitySetName.toLowerCase(), ...(t.displayName ? [t.displayName.toLowerCase()] : [])];
    let score = Math.min(...candidates.map((c) => editDistance(q, c)));
    if (candidates.some((c) => c.includes(q) || (q.length >= 4 && q.includes(c)))) score = Math.min(score, 1);
    return { t, score };
  });
  const limit = Math.max(2, Math.floor(q.length / 3));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.t.logicalName.localeCompare(b.t.logicalName))
    .slice(0, max)
    .map((s) => s.t);
}

export function unknownTableMessage(name: string, tables: TableInfo[]): string {
  const suggestions = suggestTables(name, tables);
  const dym = suggestions.length ? ` Did you mean ${suggestions.map((t) => `${t.logicalName} (${t.entitySetName})`).join(', ')}?` : '';
  return `There is no table "${name}" in this Dataverse environment.${dym} Call list_tables (optionally with a filter) to find the right name.`;
}
