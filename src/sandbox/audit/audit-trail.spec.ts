import { startEmulator, EmulatorHandle } from '..';

describe('emulator auditing and notes', () => {
  let emulator: EmulatorHandle;
  let token: string;
  let accountId: string;

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${emulator.apiUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Prefer: 'odata.include-annotations="*"',
        ...init.headers,
      },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const history = (id: string) =>
    call(
      `RetrieveRecordChangeHistory(Target=@target,PagingInfo=@p)?@target=${encodeURIComponent(`{'@odata.id':'accounts(${id})'}`)}` +
        `&@p=${encodeURIComponent('{"PageNumber":1,"Count":5,"ReturnTotalRecordCount":true}')}`,
    );

  beforeAll(async () => {
    emulator = await startEmulator();
    token = emulator.issueToken();
    accountId = (await call("accounts?$select=name&$filter=name eq 'Contoso Ltd'")).body.value[0].accountid;
  });
  afterAll(() => emulator.close());
  afterEach(() => emulator.audit.set({ enabled: true, disabledTables: [], deniedPrivileges: [] }));

  it('should record an update as an AttributeAuditDetail without AuditRecord, newest first, and list it in audits', async () => {
    await call(`accounts(${accountId})`, {
      method: 'PATCH',
      headers: { 'If-Match': '*' },
      body: JSON.stringify({ telephone2: '+1 555 0001' }),
    });

    const res = await history(accountId);
    const audits = await call(
      `audits?$select=createdon,_userid_value,operation&$filter=_objectid_value eq ${accountId}&$orderby=createdon desc`,
    );

    const first = res.body.AuditDetailCollection.AuditDetails[0];
    expect(res.body.AuditDetailCollection.TotalRecordCount).toBe(4);
    expect(first).not.toHaveProperty('AuditRecord');
    expect(first).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.AttributeAuditDetail',
      OldValue: { '@odata.type': '#Microsoft.Dynamics.CRM.account', telephone2: null },
      NewValue: { '@odata.type': '#Microsoft.Dynamics.CRM.account', telephone2: '+1 555 0001' },
    });
    expect(audits.body.value[0]).toMatchObject({ _userid_value: emulator.sandboxUserId, operation: 2 });
    expect(audits.body.value).toHaveLength(4);
  });

  it('should stop recording when auditing is off for the environment or the table, and report both switches', async () => {
    emulator.audit.set({ enabled: false });
    await call(`accounts(${accountId})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: JSON.stringify({ telephone3: '1' }) });
    const org = await call('organizations?$select=isauditenabled');
    emulator.audit.set({ enabled: true, disabledTables: ['account'] });
    await call(`accounts(${accountId})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: JSON.stringify({ telephone3: '2' }) });
    const def = await call("EntityDefinitions(LogicalName='account')?$select=IsAuditEnabled");

    const res = await history(accountId);

    expect(org.body.value[0].isauditenabled).toBe(false);
    expect(def.body.IsAuditEnabled.Value).toBe(false);
    expect(JSON.stringify(res.body)).not.toContain('telephone3');
  });

  it('should refuse without the audit privileges with the platform error code', async () => {
    emulator.audit.set({ deniedPrivileges: ['prvReadRecordAuditHistory', 'prvReadAuditSummary'] });

    const res = await history(accountId);
    const audits = await call(`audits?$filter=_objectid_value eq ${accountId}`);

    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: '0x80040220', message: expect.stringContaining('prvReadRecordAuditHistory') });
    expect(audits.status).toBe(403);
    expect(audits.body.error.message).toContain('prvReadAuditSummary');
  });

  it('should derive a note file size and refuse an upload over the limit', async () => {
    const ok = await call('annotations', {
      method: 'POST',
      body: JSON.stringify({
        subject: 'f',
        documentbody: Buffer.from('hello').toString('base64'),
        'objectid_account@odata.bind': `/accounts(${accountId})`,
      }),
    });
    const id = /\(([0-9a-f-]{36})\)/.exec(ok.headers.get('odata-entityid')!)![1];
    const tooBig = await call('annotations', {
      method: 'POST',
      body: JSON.stringify({ subject: 'g', documentbody: 'A'.repeat(5_242_881) }),
    });

    expect(emulator.store.get('annotations', id)).toMatchObject({ filesize: 5, isdocument: true, objecttypecode: 'account' });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error).toEqual({ code: '0x80044a02', message: 'Attachment file size is too big.' });
  });
});
