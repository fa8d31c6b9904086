import { deepFreeze } from './deep-freeze';
import { stringifyKnown, withKnownJson } from './known-json';

describe('known JSON', () => {
  const values: unknown[] = [
    null,
    0,
    'text with "quotes" and ✓',
    [1, undefined, () => 1, { a: undefined }],
    { a: 1, b: undefined, c: () => 1, d: [{ e: 'x' }], f: { g: { h: null } } },
    { when: new Date(0), own: { toJSON: () => 'mine' } },
    { 10: 'ten', 2: 'two', z: 'z' },
    Object.create({ inherited: 1 }) as object,
  ];

  it.each(values.map((v) => [JSON.stringify(v) ?? String(v), v]))('should write %s exactly as JSON.stringify does', (_, value) => {
    for (const depth of [0, 1, 3]) expect(stringifyKnown(value, depth)).toBe(JSON.stringify(value));
  });

  it('should use the JSON noted for a frozen member instead of walking it again', () => {
    const rows = deepFreeze([{ id: 1 }, { id: 2 }]);
    withKnownJson(rows, JSON.stringify(rows));
    const structured = { table: 'contact', records: rows, hasMore: false, nextCursor: undefined };
    const answer = { content: [{ type: 'text', text: 'x' }], structuredContent: structured };

    expect(stringifyKnown(structured)).toBe(JSON.stringify(structured));
    expect(stringifyKnown(answer, 2)).toBe(JSON.stringify(answer));
    // What is noted is what is written: a wrong note would show (noted only to prove the reuse).
    const marked = withKnownJson(deepFreeze([{ id: 3 }]), '"noted"');
    expect(stringifyKnown({ records: marked })).toBe('{"records":"noted"}');
    expect(stringifyKnown({ inner: { records: marked } }, 1)).toBe('{"inner":{"records":[{"id":3}]}}');
  });

  it('should refuse to note JSON for a value that could still change', () => {
    expect(() => withKnownJson([{ id: 1 }], '[{"id":1}]')).toThrow(/frozen/);
  });
});
