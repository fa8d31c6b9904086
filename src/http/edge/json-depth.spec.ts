import { jsonShapeProblem } from './json-depth';

const limits = { maxDepth: 4, maxItems: 20, maxBatch: 3 };
const problem = (text: string, l = limits) => jsonShapeProblem(Buffer.from(text), l);

describe('jsonShapeProblem', () => {
  it('should pass JSON within every limit', () => {
    expect(problem('{"a":[[1]],"b":"x"}')).toBeUndefined();
    expect(problem(' [{"a":1},{"b":2},{"c":3}] ')).toBeUndefined();
    expect(problem('')).toBeUndefined();
  });

  it('should refuse nesting deeper than the limit, counting arrays and objects alike', () => {
    expect(problem('[[[[1]]]]')).toBeUndefined();
    expect(problem('[[[[[1]]]]]')).toBe('depth');
    expect(problem('{"a":{"b":[{"c":[]}]}}')).toBe('depth');
    expect(problem(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, { ...limits, maxItems: 1e9 })).toBe('depth');
  });

  it('should not count brackets, commas or escaped quotes inside strings', () => {
    expect(problem('{"a":"[[[[[[,,,,,,,,,,,,,,,,,,,,,,,,"}')).toBeUndefined();
    expect(problem('{"a":"\\"[[[[[[[\\"","b":"\\\\"}')).toBeUndefined();
    expect(problem('{"a":"\\\\","b":[[[[[1]]]]]}')).toBe('depth');
    expect(problem('["é[[[[[[", "日本[[[[[["]')).toBeUndefined();
  });

  it('should refuse more values than the limit before anything is parsed', () => {
    expect(problem(`{"a":[${'1,'.repeat(19)}1]}`)).toBe('items');
    expect(problem(`{"a":[${'[],'.repeat(10)}[]]}`)).toBe('items');
  });

  it('should refuse a top-level array with more messages than a batch holds, but not nested arrays', () => {
    expect(problem('[{},{},{}]')).toBeUndefined();
    expect(problem('[{},{},{},{}]')).toBe('batch');
    expect(problem('  [1,2,3,4]')).toBe('batch');
    expect(problem('{"a":[1,2,3,4,5]}')).toBeUndefined();
  });

  it('should call unbalanced brackets and unterminated strings not JSON', () => {
    expect(problem('{"a":[1]')).toBe('syntax');
    expect(problem('{"a":1}}')).toBe('syntax');
    expect(problem('{"a":"never ends')).toBe('syntax');
    expect(problem('{"a":"ends with an escaped quote\\"}')).toBe('syntax');
  });
});
