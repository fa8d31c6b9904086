import { setSandboxViewerBase } from '../../../common/sandbox-record-url';
import { recordUrl, withRecordUrl } from './record-url';

describe('recordUrl', () => {
  afterEach(() => setSandboxViewerBase(undefined));

  it("should point at the record's form in the Dataverse app", () => {
    expect(recordUrl('https://contoso.crm4.dynamics.com/api/data/v9.2/', 'contact', 'c1')).toBe(
      'https://contoso.crm4.dynamics.com/main.aspx?etn=contact&id=c1&pagetype=entityrecord',
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
