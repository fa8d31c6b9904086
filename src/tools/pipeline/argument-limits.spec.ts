import { ARGUMENT_LIMITS, argumentProblem } from './argument-limits';

describe('argumentProblem', () => {
  it('should accept ordinary tool arguments', () => {
    expect(
      argumentProblem({
        table: 'appointment',
        data: { subject: 'Meeting', parties: [{ role: 'required', table: 'contact', id: '00000000-0000-0000-0000-000000000001' }] },
      }),
    ).toBeUndefined();
    expect(argumentProblem({ filter: "contains(fullname,'😀')" })).toBeUndefined();
  });

  it('should refuse a key longer than the limit, naming the argument and the limit', () => {
    const problem = argumentProblem({ table: 'contact', data: { ['x'.repeat(1_048_576)]: 1 } });
    expect(problem).toContain('argument "data"');
    expect(problem).toContain(`at most ${ARGUMENT_LIMITS.maxKeyLength}`);
    expect(problem).not.toContain('xxxxxxxxxx');
  });

  it('should refuse more keys in one object than the limit', () => {
    const data = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`field_${i}_${'y'.repeat(150)}`, i]));
    expect(argumentProblem({ table: 'contact', data })).toContain(`at most ${ARGUMENT_LIMITS.maxKeysPerObject} are accepted`);
  });

  it('should refuse too many entries in total and too many characters in total', () => {
    expect(argumentProblem({ a: Array.from({ length: ARGUMENT_LIMITS.maxEntries + 1 }, () => 1) })).toContain(
      `more than ${ARGUMENT_LIMITS.maxEntries} keys and array items`,
    );
    expect(argumentProblem({ a: 'z'.repeat(ARGUMENT_LIMITS.maxTotalChars), b: 'zz' })).toContain(
      `more than ${ARGUMENT_LIMITS.maxTotalChars} characters`,
    );
  });

  it('should refuse nesting deeper than the limit without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(argumentProblem({ data: { x: deep } })).toContain(`nested more than ${ARGUMENT_LIMITS.maxDepth} levels`);
  });

  it('should refuse unpaired surrogates in values and keys, and accept proper pairs', () => {
    expect(argumentProblem({ filter: "name eq '\ud800'" })).toContain('argument "filter" contains an unpaired UTF-16 surrogate');
    expect(argumentProblem({ filter: 'x\udc00' })).toContain('unpaired UTF-16 surrogate');
    expect(argumentProblem({ data: { ['a\udbff']: 1 } })).toContain('a key in argument "data"');
    expect(argumentProblem({ data: { nested: ['\ud83d\ude00 ok'] } })).toBeUndefined();
  });

  it('should not quote an odd top-level key in its message', () => {
    expect(argumentProblem({ ['<b>\ud800']: 1 })).toContain('a key in the arguments');
  });
});
