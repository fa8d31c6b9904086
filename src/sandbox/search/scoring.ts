/**
 * The emulator's relevance: a parsed query (simple search syntax: words, "phrases", a trailing * for a
 * prefix, -word to exclude, + and | as plain separators) scored against text values,
 * exact > prefix > word prefix > contains; matches marked with {crmhit} like Dataverse search does.
 */

export interface ParsedQuery {
  /** The whole query as plain lowercase text, for exact/prefix comparisons. */
  text: string;
  terms: string[];
  excluded: string[];
}

export const HIT_OPEN = '{crmhit}';
export const HIT_CLOSE = '{/crmhit}';
const MAX_FRAGMENT = 200;

export function parseQuery(search: string): ParsedQuery {
  const terms: string[] = [];
  const excluded: string[] = [];
  const re = /(-?)"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(search))) {
    if (m[2] !== undefined) {
      const phrase = m[2].trim().toLowerCase();
      if (phrase) (m[1] ? excluded : terms).push(phrase);
      continue;
    }
    let word = m[3];
    const negative = word.startsWith('-');
    word = word
      .replace(/^[-+|]+/, '')
      .replace(/\*+$/, '')
      .toLowerCase();
    if (!word || word === '|' || word === '+') continue;
    (negative ? excluded : terms).push(word);
  }
  return { text: terms.join(' '), terms, excluded };
}

/** Score of one value: 0 when nothing matches. */
export function scoreValue(value: string, q: ParsedQuery): number {
  const v = value.toLowerCase();
  if (!q.text) return 0;
  if (v === q.text) return 10;
  if (v.startsWith(q.text)) return 6;
  if (q.terms.length > 1 && v.includes(q.text)) return 4;
  let score = 0;
  const words = v.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  for (const t of q.terms) {
    if (words.some((w) => w === t)) score += 1.5;
    else if (words.some((w) => w.startsWith(t)) || v.startsWith(t)) score += 1;
    else if (v.includes(t)) score += 0.5;
  }
  // Single words together never outrank the whole query found inside the value.
  return Math.min(score, 3.5);
}

export function excludedBy(value: string, q: ParsedQuery): boolean {
  const v = value.toLowerCase();
  return q.excluded.some((t) => v.includes(t));
}

/** The value with every term occurrence wrapped in {crmhit} markers, cut to a window around the first hit. */
export function highlight(value: string, q: ParsedQuery): string {
  const terms = [...new Set(q.terms)].filter(Boolean).sort((a, b) => b.length - a.length);
  if (!terms.length) return value;
  const pattern = new RegExp(terms.map(escapeRegExp).join('|'), 'giu');
  let first = -1;
  const marked = value.replace(pattern, (hit, offset: number) => {
    if (first < 0) first = offset;
    return `${HIT_OPEN}${hit}${HIT_CLOSE}`;
  });
  if (marked.length <= MAX_FRAGMENT) return marked;
  const start = Math.max(0, marked.indexOf(HIT_OPEN) - 40);
  let fragment = marked.slice(start, start + MAX_FRAGMENT);
  const open = fragment.lastIndexOf(HIT_OPEN);
  if (open > fragment.lastIndexOf(HIT_CLOSE)) fragment = fragment.slice(0, open);
  return fragment;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
