import { likeMatch } from './like';

describe('LIKE wildcards in string functions', () => {
  it('should match plain text as a substring, prefix or suffix when there is no wildcard', () => {
    expect([
      likeMatch('contains', 'contoso ltd', 'so l'),
      likeMatch('startswith', 'contoso', 'con'),
      likeMatch('endswith', 'contoso', 'oso'),
    ]).toEqual([true, true, true]);
  });

  it('should read % _ and brackets as wildcards', () => {
    expect(likeMatch('contains', 'contoso ltd', 'c%ltd')).toBe(true);
    expect(likeMatch('startswith', 'contoso', 'c_n')).toBe(true);
    expect(likeMatch('startswith', 'contoso', '[a-c]on')).toBe(true);
    expect(likeMatch('startswith', 'contoso', '[^c]on')).toBe(false);
    expect(likeMatch('endswith', 'contoso', 'c_n')).toBe(false);
  });

  it('should match a bracketed wildcard as itself', () => {
    expect(likeMatch('contains', '50% off', '50[%]')).toBe(true);
    expect(likeMatch('contains', '50 off', '50[%]')).toBe(false);
    expect(likeMatch('contains', 'a_b', 'a[_]b')).toBe(true);
    expect(likeMatch('contains', 'axb', 'a[_]b')).toBe(false);
    expect(likeMatch('contains', 'x[y', 'x[[]y')).toBe(true);
  });

  it('should answer a pattern with many % against a long text (linear matching, no exponential backtracking)', () => {
    const text = 'a'.repeat(5000);

    expect(likeMatch('contains', text, `${'%a'.repeat(200)}%b`)).toBe(false);
    expect(likeMatch('contains', text, `${'%a'.repeat(200)}%`)).toBe(true);
  });
});
