import { callContext, CallContext } from './call-context';
import { editDistance, MAX_SUGGEST_LENGTH, MAX_SUGGESTION_RUNS, SUGGESTION_BUDGET_CELLS, worthSuggesting } from './edit-distance';

const ctx = (): CallContext => ({ tool: 't', dataverseRequestIds: [], auditExtras: {} });

describe('editDistance', () => {
  it('should count single-character edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('fullname', 'fulname')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('should not compare names longer than the suggestion limit', () => {
    const long = 'a'.repeat(MAX_SUGGEST_LENGTH + 1);
    expect(editDistance(long, `${long.slice(1)}b`)).toBe(long.length);
    expect(worthSuggesting(long)).toBe(false);
    expect(worthSuggesting('fullname')).toBe(true);
  });

  it('should stop comparing once the call has spent its suggestion budget', () => {
    const c = ctx();
    const a = 'x'.repeat(100);
    const b = `${'x'.repeat(99)}y`;
    callContext.run(c, () => {
      const calls = Math.floor(SUGGESTION_BUDGET_CELLS / (a.length * b.length));
      for (let i = 0; i < calls; i++) expect(editDistance(a, b)).toBe(1);
      expect(editDistance(a, b)).toBe(100);
    });
    expect(c.suggestionCells).toBeLessThanOrEqual(SUGGESTION_BUDGET_CELLS);
    callContext.run(ctx(), () => expect(editDistance(a, b)).toBe(1));
  });

  it('should look for suggestions a bounded number of times per call', () => {
    callContext.run(ctx(), () => {
      for (let i = 0; i < MAX_SUGGESTION_RUNS; i++) expect(worthSuggesting('fulname')).toBe(true);
      expect(worthSuggesting('fulname')).toBe(false);
    });
    callContext.run(ctx(), () => expect(worthSuggesting('fulname')).toBe(true));
  });
});
