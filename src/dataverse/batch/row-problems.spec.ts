import { rowProblems } from './row-problems';

describe('rowProblems', () => {
  it('should list problems by row index in row order, one line each', () => {
    const p = rowProblems('records');
    p.add(3, 'second\n  line');
    p.add(1, 'first');
    p.add(3, 'third');

    expect(p.count).toBe(3);
    expect(p.rows).toBe(2);
    expect(p.text()).toBe('- records[1]: first\n- records[3]: second line\n- records[3]: third');
  });

  it('should cap the message and say how many problems were left out', () => {
    const p = rowProblems('updates');
    for (let i = 0; i < 1000; i++) p.add(i, `Field "x${i}" does not exist on contact. Did you mean "firstname"?`);

    const text = p.text();
    expect(text.length).toBeLessThan(4200);
    const shown = text.split('\n').filter((l) => l.startsWith('- updates[')).length;
    expect(text.endsWith(`- ... and ${1000 - shown} more problems (fix these first; the same kind of fix usually applies).`)).toBe(true);
  });
});
