import { formatRecord } from './formatting';

describe('formatRecord', () => {
  const row = {
    '@odata.etag': 'W/"123"',
    fullname: 'Ann Lee',
    contactid: 'c1',
    'statuscode@OData.Community.Display.V1.FormattedValue': 'Active',
    statuscode: 1,
    'numberofchildren@OData.Community.Display.V1.FormattedValue': '1,000',
    numberofchildren: 1000,
    'revenue@OData.Community.Display.V1.FormattedValue': '$20,000.00',
    revenue: 20000,
    '_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'parentcustomerid_account',
    '_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'account',
    '_parentcustomerid_value@OData.Community.Display.V1.FormattedValue': 'Contoso',
    _parentcustomerid_value: 'a1',
    _ownerid_value: null,
    telephone1: null,
  };

  it('should strip OData noise, put labels beside raw values and name lookups', () => {
    expect(formatRecord(row)).toEqual({
      fullname: 'Ann Lee',
      contactid: 'c1',
      statuscode: 1,
      'statuscode@label': 'Active',
      numberofchildren: 1000,
      revenue: 20000,
      'revenue@label': '$20,000.00',
      parentcustomerid: { id: 'a1', table: 'account', name: 'Contoso' },
    });
  });

  it('should keep null fields when asked (explicit select)', () => {
    const out = formatRecord(row, { keepNulls: true });
    expect(out.ownerid).toBeNull();
    expect(out.telephone1).toBeNull();
  });

  it('should name a lookup of a FetchXML link-entity column (<alias>.<lookup>)', () => {
    const out = formatRecord({
      'acct.primarycontactid': 'c1',
      'acct.primarycontactid@OData.Community.Display.V1.FormattedValue': 'Ann Lee',
      'acct.primarycontactid@Microsoft.Dynamics.CRM.lookuplogicalname': 'contact',
      'acct.primarycontactid@OData.Community.Display.V1.AttributeName': 'primarycontactid',
      'acct.name': 'Contoso',
    });
    expect(out).toEqual({ 'acct.primarycontactid': { id: 'c1', table: 'contact', name: 'Ann Lee' }, 'acct.name': 'Contoso' });
  });

  it('should drop labels that repeat the value or say nothing, and keep those that add something', () => {
    const F = '@OData.Community.Display.V1.FormattedValue';
    const out = formatRecord({
      donotemail: false,
      [`donotemail${F}`]: 'Allow',
      isprivate: true,
      [`isprivate${F}`]: 'Yes',
      creditonhold: false,
      [`creditonhold${F}`]: 'No',
      birthdate: '1990-05-01',
      [`birthdate${F}`]: '5/1/1990',
      createdon: '2024-01-01T10:00:00Z',
      [`createdon${F}`]: '1/1/2024 11:00 AM',
      description: 'x',
      [`description${F}`]: '',
      exchangerate: 1.5,
      [`exchangerate${F}`]: '1.5000000000',
      budgetamount: 1000,
      [`budgetamount${F}`]: '$1,000.00',
      _ownerid_value: 'u1',
      [`_ownerid_value${F}`]: '',
      '_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'systemuser',
      ownerid: 'u1',
    });
    expect(out).toEqual({
      donotemail: false,
      'donotemail@label': 'Allow',
      isprivate: true,
      creditonhold: false,
      birthdate: '1990-05-01',
      createdon: '2024-01-01T10:00:00Z',
      'createdon@label': '1/1/2024 11:00 AM',
      description: 'x',
      exchangerate: 1.5,
      budgetamount: 1000,
      'budgetamount@label': '$1,000.00',
      ownerid: { id: 'u1', table: 'systemuser' },
    });
  });
});
