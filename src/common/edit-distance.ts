import { callContext } from './call-context';

/**
 * Names longer than this get no "did you mean": no Dataverse table or field name (nor display label) comes
 * close, and comparing them would only cost time.
 */
export const MAX_SUGGEST_LENGTH = 100;

/**
 * Edit-distance cells one tool call may spend on suggestions (a few milliseconds). Once spent, further
 * comparisons report "far" and the rest of the unknown names simply get no suggestion.
 */
export const SUGGESTION_BUDGET_CELLS = 1_000_000;

/** Names one tool call suggests alternatives for; the unknown names after these just get no suggestion. */
export const MAX_SUGGESTION_RUNS = 10;

/**
 * Whether to look for names near `input` (callers skip their own substring matching too when not):
 * not for names longer than any real one, and at most MAX_SUGGESTION_RUNS times per tool call.
 */
export function worthSuggesting(input: string): boolean {
  if (input.length > MAX_SUGGEST_LENGTH) return false;
  const ctx = callContext.current();
  if (!ctx) return true;
  ctx.suggestionRuns = (ctx.suggestionRuns ?? 0) + 1;
  return ctx.suggestionRuns <= MAX_SUGGESTION_RUNS;
}

let row = new Uint32Array(MAX_SUGGEST_LENGTH + 1);

/**
 * Levenshtein distance: how many single-character edits turn `a` into `b` (for "did you mean …").
 * Bounded work: a string longer than MAX_SUGGEST_LENGTH, or a call whose suggestion budget is spent, gets the
 * longer length back (as far as two strings can be), without comparing.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  const far = Math.max(a.length, b.length);
  if (far > MAX_SUGGEST_LENGTH || !spend(a.length * b.length)) return far;
  if (row.length < b.length + 1) row = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(above + 1, row[j - 1] + 1, diagonal + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Takes `cells` from the current call's suggestion budget; false when it is spent (no call context: no budget). */
function spend(cells: number): boolean {
  const ctx = callContext.current();
  if (!ctx) return true;
  const used = (ctx.suggestionCells ?? 0) + cells;
  if (used > SUGGESTION_BUDGET_CELLS) return false;
  ctx.suggestionCells = used;
  return true;
}
