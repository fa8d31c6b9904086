import { editDistance, worthSuggesting } from '../../../common/edit-distance';
import type { SchemaField } from '../../metadata/schema-format';

/** Nearest field names: edit distance, substring either way, and display labels. */
export function suggestFieldNames(input: string, fields: SchemaField[], max = 3): string[] {
  if (!worthSuggesting(input)) return [];
  return nearest(
    input,
    fields.filter((f) => !f.readOnly).map((f) => ({ name: f.name, match: [f.name, ...(f.label ? [f.label.toLowerCase()] : [])] })),
    max,
  );
}

export function nearest(input: string, candidates: Array<{ name: string; match: string[] }>, max = 3): string[] {
  const q = input.toLowerCase().replace(/@odata\.bind$/, '');
  const compact = q.replace(/[^a-z0-9_]/g, '');
  const limit = Math.max(2, Math.floor(q.length / 3));
  const scored = candidates.map((c) => {
    let score = Math.min(...c.match.map((m) => Math.min(editDistance(q, m), editDistance(compact, m.replace(/[^a-z0-9_]/g, '')))));
    if (
      compact.length >= 3 &&
      c.match.some((m) => m.includes(compact) || (m.length >= 4 && compact.includes(m.replace(/[^a-z0-9_]/g, ''))))
    ) {
      score = Math.min(score, 1.5);
    }
    return { name: c.name, score };
  });
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}
