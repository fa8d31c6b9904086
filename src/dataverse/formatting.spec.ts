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
});
