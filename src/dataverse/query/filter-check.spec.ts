import { ToolError } from '../../common/tool-error';
import { resolveFieldNames, resolveOrderBy } from './columns';
import { checkFilter } from './filter-check';
import { CONTACT, PRIMARY_NAMES } from './testing/schemas.fixture';

const ctx = { schema: CONTACT, primaryNames: PRIMARY_NAMES };
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ToolError) return error.message;
    throw error;
  }
  throw new Error('expected a ToolError');
};

const LOOKUP_HINT =
  '"parentcustomerid" is a lookup (to account, contact): filter on its id with _parentcustomerid_value eq <guid> (unquoted), ' +
  "or on the related record's fields through its navigation property: parentcustomerid_account/name eq 'Contoso' or parentcustomerid_contact/fullname eq 'Contoso'.";

describe('filter checks against the schema', () => {
  it.each([
    ["contains(parentcustomerid,'Contoso')"],
    ['parentcustomerid eq 6f1e0b8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
    ["parentcustomerid/name eq 'Contoso'"],
  ])('should say a lookup used by its logical name is one, with the forms that work, when the filter is %s', (filter) => {
    expect(messageOf(() => checkFilter(filter, ctx))).toBe(`${LOOKUP_HINT} (in filter: ${filter})`);
  });

  it('should accept the working lookup forms, navigation by the owner name and lambda variables', () => {
    for (const filter of [
      '_parentcustomerid_value eq 6f1e0b8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      "parentcustomerid_account/name eq 'Contoso'",
      "ownerid/fullname eq 'Ann'",
      "contact_customer_contacts/any(o:o/fullname eq 'x')",
      "statecode eq 0 and (contains(fullname,'smith') or createdon ge 2024-01-01T00:00:00Z) and not (emailaddress1 eq null)",
      "Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue=7)",
      'fullname eqq 1', // a syntax error: Dataverse reports it
    ]) {
      expect(() => checkFilter(filter, ctx)).not.toThrow();
    }
  });

  it('should answer a typo with did-you-mean before any request', () => {
    expect(messageOf(() => checkFilter("fulname eq 'x'", ctx))).toBe(
      'Field "fulname" in filter does not exist on contact (names are lowercase logical names). Did you mean "fullname"? ' +
        'Call get_table_schema with table "contact" (includeReadOnly: true) for every field name.',
    );
    expect(messageOf(() => checkFilter("FullName eq 'x'", ctx))).toContain('Did you mean "fullname"?');
    expect(messageOf(() => checkFilter("emial eq 'x'", ctx))).toContain('Did you mean "emailaddress1"?');
  });

  it('should say GUIDs are unquoted', () => {
    expect(messageOf(() => checkFilter("_parentcustomerid_value eq '6f1e0b8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b'", ctx))).toBe(
      'GUIDs are not quoted in OData filters: write _parentcustomerid_value eq 6f1e0b8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b.',
    );
  });

  it('should turn a choice label into its number', () => {
    expect(messageOf(() => checkFilter("statecode eq 'Active'", ctx))).toBe(
      'statecode is a choice: compare it with the number, not the label: statecode eq 0 ("Active").',
    );
    expect(messageOf(() => checkFilter("statuscode eq 'Gone'", ctx))).toBe(
      'statuscode is a choice: compare it with one of its numbers (1=Active, 2=Inactive).',
    );
    expect(messageOf(() => checkFilter("donotemail eq 'yes'", ctx))).toContain('compare it with true or false');
  });

  it('should ask for a time zone on a date-time and unquoted dates', () => {
    expect(messageOf(() => checkFilter('createdon ge 2024-01-01T00:00:00', ctx))).toBe(
      'The date-time 2024-01-01T00:00:00 in filter has no time zone: write createdon ge 2024-01-01T00:00:00Z (UTC) or with an offset such as 2024-01-01T00:00:00+01:00, unquoted.',
    );
    expect(messageOf(() => checkFilter("birthdate eq '1990-05-01'", ctx))).toBe(
      'Dates are not quoted in OData filters: write birthdate eq 1990-05-01T00:00:00Z.',
    );
  });

  it('should refuse an unclosed text literal and a runaway filter', () => {
    expect(messageOf(() => checkFilter("fullname eq 'x", ctx))).toBe(
      "filter has an unclosed text literal at position 12: close it with '.",
    );
    expect(messageOf(() => checkFilter(Array(1200).fill('statecode eq 0').join(' or '), ctx))).toBe(
      'filter has more than 2000 terms; simplify it.',
    );
  });
});

describe('select and orderby names', () => {
  it('should turn lookups into their value property and keep the rest', () => {
    expect(resolveFieldNames(['fullname', 'parentcustomerid', '_ownerid_value'], CONTACT, 'select')).toEqual([
      'fullname',
      '_parentcustomerid_value',
      '_ownerid_value',
    ]);
    expect(resolveOrderBy('createdon desc,parentcustomerid', CONTACT)).toBe('createdon desc,_parentcustomerid_value');
  });

  it('should name every unknown field with did-you-mean', () => {
    expect(messageOf(() => resolveFieldNames(['fulname', 'emial', 'FullName'], CONTACT, 'select'))).toBe(
      'select names fields that do not exist on contact: "fulname" (Did you mean "fullname"?), "emial" (Did you mean "emailaddress1"?), ' +
        '"FullName" (Did you mean "fullname"?). Field names are lowercase logical names; call get_table_schema with table "contact" to see them.',
    );
    expect(messageOf(() => resolveOrderBy('nme desc', CONTACT))).toContain('orderby names a field that does not exist on contact: "nme"');
  });
});
