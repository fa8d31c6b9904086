import type { TableInfo } from '../../metadata/metadata.service';
import { truncate } from '../../client/odata';
import type { DeleteSummary, RelatedCount } from '../delete-summary';

/** What a delete summary calls things for a person: display names of the table, its fields and related tables/lookups. */
export interface DeleteWords {
  table: string;
  /** Field logical name → display name. */
  fields: Record<string, string>;
  /** Relationship schema name → the related table's and its lookup's display names. */
  related: Record<string, { table: string; field: string }>;
}

/** The part of a delete summary the words are about. */
export type WordedCount = RelatedCount;
export type WordedSummary = Omit<DeleteSummary, 'text'>;

/** The table of related records in a table outside the table scope: counted, never named. */
export const OUTSIDE_SCOPE = '(outside scope)';
const OUTSIDE_WORDS = "in a table outside this server's scope";

/** Most tables whose field display names are read for one summary (one small metadata request each, cached). */
export const MAX_WORDED_TABLES = 10;

/**
 * Builds DeleteWords: table display names from the table list, field display names from `labelsOf` (the
 * identifying fields of the record's table, each related table's lookup). A failed lookup keeps the logical names.
 */
export async function loadDeleteWords(
  table: TableInfo,
  identifying: string[],
  counts: WordedCount[],
  tables: Map<string, TableInfo>,
  labelsOf: (logicalName: string, fields: string[]) => Promise<Record<string, string>>,
): Promise<DeleteWords> {
  const wanted = new Map<string, Set<string>>([[table.logicalName, new Set(identifying)]]);
  for (const c of counts) {
    if (c.table === OUTSIDE_SCOPE) continue;
    if (!wanted.has(c.table) && wanted.size >= MAX_WORDED_TABLES) continue;
    wanted.set(c.table, (wanted.get(c.table) ?? new Set()).add(c.field));
  }
  const labels = new Map<string, Record<string, string>>();
  await Promise.all(
    [...wanted].map(async ([name, fields]) => {
      if (!fields.size) return;
      labels.set(name, await labelsOf(name, [...fields].sort()).catch(() => ({})));
    }),
  );
  const related: DeleteWords['related'] = {};
  for (const c of counts) {
    if (c.table === OUTSIDE_SCOPE) continue;
    related[c.relationship] = { table: tables.get(c.table)?.displayName ?? c.table, field: labels.get(c.table)?.[c.field] ?? c.field };
  }
  return { table: table.displayName ?? table.logicalName, fields: labels.get(table.logicalName) ?? {}, related };
}

/** Words by logical name only (when no metadata is at hand). */
export function plainWords(s: { table: string }): DeleteWords {
  return { table: s.table, fields: {}, related: {} };
}

function relatedOf(c: WordedCount, w: DeleteWords): { table: string; field: string } {
  return w.related[c.relationship] ?? { table: c.table, field: c.field };
}

function howMany(c: WordedCount, w: DeleteWords): string {
  const n = c.count === null ? 'an unknown number of' : `${c.count}${c.atLeast ? ' or more' : ''}`;
  if (c.table === OUTSIDE_SCOPE) return `${n} record${c.count === 1 ? '' : 's'} ${OUTSIDE_WORDS}`;
  const r = relatedOf(c, w);
  return `${n} ${r.table} record${c.count === 1 ? '' : 's'} (${r.field})`;
}

function named(c: WordedCount): string {
  if (!c.records?.length) return '';
  // The ids stay: a refused delete has no other data, and they are what the model needs to reassign the records.
  const list = c.records.map((r) => (r.name ? `"${truncate(r.name, 60)}" (${r.id})` : r.id)).join(', ');
  return `: ${list}${(c.count ?? 0) > c.records.length ? ' and more' : ''}`;
}

/** The body of a summary (everything after the "Delete …" line), for one record or a total. */
export function impactText(s: Omit<WordedSummary, 'table' | 'id' | 'name' | 'fields'>, w: DeleteWords, it = 'it'): string {
  const lines: string[] = [];
  if (s.blocked) {
    const b = s.blocking.filter((x) => (x.count ?? 0) > 0);
    lines.push(
      `This delete will be refused: ${b.map((c) => `${howMany(c, w)}${named(c)}`).join('; and ')} still point${b.length === 1 && b[0].count === 1 ? 's' : ''} to ${it}. Reassign or delete them first.`,
    );
  }
  lines.push(
    s.deletedWithIt.length
      ? `Also deleted with ${it}: ${s.deletedWithIt.map((c) => howMany(c, w)).join(', ')}, and records that belong to those in turn.`
      : `No related records are deleted with ${it}.`,
  );
  if (s.unlinked.length) lines.push(`Kept, but no longer linked to ${it}: ${s.unlinked.map((c) => howMany(c, w)).join(', ')}.`);
  const unknown = s.blocking.filter((x) => x.count === null);
  if (unknown.length) {
    const which = unknown
      .map((c) => (c.table === OUTSIDE_SCOPE ? `records ${OUTSIDE_WORDS}` : `${relatedOf(c, w).table} records (${relatedOf(c, w).field})`))
      .join(', ');
    lines.push(`Could not check for linked ${which}; if there are any, Dataverse will refuse the delete.`);
  }
  return lines.join(' ');
}

/** The whole summary in plain words, to show to the user. */
export function summaryText(s: WordedSummary, w: DeleteWords = plainWords(s)): string {
  const head = `Delete the ${w.table}${s.name ? ` "${truncate(s.name, 120)}"` : ''}.`;
  const fields = Object.entries(s.fields).map(([k, v]) => `${w.fields[k] ?? k}: ${truncate(String(v), 80)}`);
  return [head, fields.length ? `${fields.join('; ')}.` : '', impactText(s, w)].filter(Boolean).join(' ');
}
