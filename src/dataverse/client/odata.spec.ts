import { ToolError } from '../../common/tool-error';
import { buildQuery, parseFieldList, parseOrderBy, recordPath, validateGuid, validateTableName } from './odata';

describe('odata validation and encoding', () => {
  it('should accept logical and entity set names and reject anything else', () => {
    expect(validateTableName(' contact ')).toBe('contact');
    expect(validateTableName('cr8a1_Projects')).toBe('cr8a1_Projects');
    for (const bad of ['', 'contacts?$top=1', 'contacts(1)', '../WhoAmI', 'con tact', '1contact', 'a'.repeat(200)]) {
      expect(() => validateTableName(bad)).toThrow(ToolError);
    }
  });

  it('should normalise GUIDs and reject malformed ids', () => {
    expect(validateGuid('{A1B2C3D4-0000-1111-2222-333344445555}')).toBe('a1b2c3d4-0000-1111-2222-333344445555');
    expect(() => validateGuid('a1b2c3d4-0000-1111-2222-33334444555')).toThrow(/not a valid id/);
    expect(() => validateGuid("1') or (1 eq 1")).toThrow(ToolError);
    expect(() => recordPath('contacts', 'nope')).toThrow(ToolError);
  });

  it('should parse select lists from arrays and comma lists', () => {
    expect(parseFieldList(' fullname, emailaddress1 ,fullname')).toEqual(['fullname', 'emailaddress1']);
    expect(parseFieldList(['_parentcustomerid_value', 'name'])).toEqual(['_parentcustomerid_value', 'name']);
    expect(parseFieldList('')).toBeUndefined();
    expect(() => parseFieldList('name&$top=1')).toThrow(/invalid field names/);
  });

  it('should read a plain comma list exactly as the general path reads it', () => {
    expect(parseFieldList('fullname,emailaddress1,fullname')).toEqual(['fullname', 'emailaddress1']);
    expect(parseFieldList('_parentcustomerid_value')).toEqual(['_parentcustomerid_value']);
    // Anything else takes the general path: empty items dropped, bad names refused.
    expect(parseFieldList('fullname,,emailaddress1,')).toEqual(['fullname', 'emailaddress1']);
    expect(() => parseFieldList('fullname,1st')).toThrow(/invalid field names: "1st"/);
    expect(() => parseFieldList(`${'a'.repeat(129)},name`)).toThrow(/invalid field names/);
  });

  it('should accept orderby items with a direction and reject injections', () => {
    expect(parseOrderBy('createdon  desc, fullname')).toBe('createdon desc,fullname');
    expect(() => parseOrderBy('name;drop')).toThrow(ToolError);
    expect(() => parseOrderBy('name sideways')).toThrow(ToolError);
  });

  it.each([
    ["name eq 'O''Brien'"],
    ["name eq 'a&$top=1'"],
    ["contains(name,'%26') or name eq 'x'"],
    ["name eq 'line\nbreak' and $top eq 1"],
    ["name eq '#frag' or name eq 'a=b+c'"],
  ])('should keep a hostile filter inside one $filter value: %j', (filter) => {
    const query = buildQuery({ $select: 'name', $filter: filter, $orderby: 'name' });
    const params = new URLSearchParams(query.slice(1));
    expect([...params.keys()]).toEqual(['$select', '$filter', '$orderby']);
    expect(params.get('$filter')).toBe(filter);
    expect(query).not.toMatch(/[#\n ]/);
  });
});
