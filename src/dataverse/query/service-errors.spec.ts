import { classifyHttpError, DataverseError, toToolError, typeMismatchFix } from '../client/dataverse-error';

const mismatch = (a: string, b: string) =>
  `A binary operator with incompatible types was detected. Found operand types '${a}' and '${b}' for operator kind 'Equal'.`;

describe("the service's type-mismatch errors in filters", () => {
  it('should classify them as filter errors', () => {
    expect(classifyHttpError(400, '0x80060888', mismatch('Edm.Guid', 'Edm.String'), true)).toBe('bad_filter');
  });

  it.each([
    ['Edm.Guid', 'Edm.String', 'GUIDs are not quoted: write _parentcustomerid_value eq 00000000-0000-0000-0000-000000000000.'],
    [
      'Edm.Int32',
      'Edm.String',
      'Choices are compared with their numbers, not their labels (statecode eq 0 for "Active"); get_table_schema lists each choice\'s numbers.',
    ],
    ['Edm.DateTimeOffset', 'Edm.String', 'Dates are not quoted and carry a time zone: createdon ge 2024-01-01T00:00:00Z.'],
    ['Edm.Boolean', 'Edm.String', 'Yes/no fields are compared with true or false, unquoted.'],
  ])('should turn %s vs %s into the fix', (a, b, fix) => {
    expect(typeMismatchFix(mismatch(a, b))).toBe(fix);
    const e = toToolError(
      new DataverseError('bad_filter', { method: 'GET', path: 'contacts', status: 400, dataverseMessage: mismatch(a, b) }),
    );
    expect(e.message).toBe(`Dataverse could not apply the filter: ${mismatch(a, b)} ${fix}`);
  });

  it('should leave other filter errors with the general example', () => {
    expect(typeMismatchFix("Syntax error at position 7 in 'name eq'.")).toBeUndefined();
  });
});
