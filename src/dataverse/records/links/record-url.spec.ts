import { setSandboxViewerBase } from '../../../common/sandbox-record-url';
import { recordUrl, withRecordUrl } from './record-url';

describe('recordUrl', () => {
  afterEach(() => setSandboxViewerBase(undefined));

  it("should point at the record's form in the Dataverse app", () => {
    expect(recordUrl('https://contoso.crm4.dynamics.com/api/data/v9.2/', 'contact', 'c1')).toBe(
      'https://contoso.crm4.dynamics.com/main.aspx?etn=contact&id=c1&pagetype=entityrecord',
    );
  });

  it('should encode a table or id with other characters as a form query does', () => {
    const url = recordUrl('https://contoso.crm4.dynamics.com/api/data/v9.2/', 'new_thing', 'a b&c=d');
    expect(url).toBe('https://contoso.crm4.dynamics.com/main.aspx?etn=new_thing&id=a+b%26c%3Dd&pagetype=entityrecord');
    expect(recordUrl('https://other.crm.dynamics.com/api/data/v9.1', 'contact', 'c1')).toBe(
      'https://other.crm.dynamics.com/main.aspx?etn=contact&id=c1&pagetype=entityrecord',
    );
  });

  it('should use the sandbox record viewer when one runs', () => {
    setSandboxViewerBase('http://127.0.0.1:8199/');
    expect(recordUrl('http://127.0.0.1:9000/api/data/v9.2/', 'Contact', 'C1')).toBe('http://127.0.0.1:8199/sandbox/contact/c1');
  });

  it('should leave a record without an id or with its own url field alone', () => {
    expect(withRecordUrl({ a: 1 }, 'https://x.crm.dynamics.com/api/data/v9.2/', 'contact', undefined)).toEqual({ a: 1 });
    expect(withRecordUrl({ url: 'mine' }, 'https://x.crm.dynamics.com/api/data/v9.2/', 'contact', 'c1')).toEqual({ url: 'mine' });
  });
});
