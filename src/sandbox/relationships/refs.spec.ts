import { changeSetBatch } from '../../dataverse/batch/multipart';
import { startEmulator } from '../server';
import { call } from '../spec-support';
import { EmulatorHandle } from '../types';

/** The emulator's N:N metadata and `$ref` endpoints, straight over HTTP. */
describe('sandbox relationships', () => {
  let em: EmulatorHandle;
  let accountId: string;
  let leadId: string;
  beforeAll(async () => {
    em = await startEmulator();
    accountId = (await call(em, 'accounts?$select=accountid&$top=1')).json.value[0].accountid;
    leadId = (await call(em, 'leads?$select=leadid&$top=1')).json.value[0].leadid;
  });
  afterAll(() => em.close());

  it('should describe N:N relationships with their intersect table and navigation names', async () => {
    const r = await call(
      em,
      "EntityDefinitions(LogicalName='lead')/ManyToManyRelationships?$select=SchemaName,Entity1LogicalName,Entity2LogicalName,Entity2NavigationPropertyName,IntersectEntityName",
    );
    expect(r.status).toBe(200);
    expect(r.json.value).toEqual([
      expect.objectContaining({
        SchemaName: 'accountleads_association',
        Entity1LogicalName: 'account',
        Entity2LogicalName: 'lead',
        Entity2NavigationPropertyName: 'accountleads_association',
        IntersectEntityName: 'accountleads',
      }),
    ]);
  });

  it('should associate with an absolute @odata.id, refuse a duplicate and a relative id, and disassociate by $id', async () => {
    const path = `accounts(${accountId})/accountleads_association`;
    const ok = await call(em, `${path}/$ref`, { method: 'POST', body: { '@odata.id': `${em.apiUrl}leads(${leadId})` } });
    expect(ok.status).toBe(204);
    expect((await call(em, path)).json.value.map((l: { leadid: string }) => l.leadid)).toEqual([leadId]);

    const dup = await call(em, `${path}/$ref`, { method: 'POST', body: { '@odata.id': `${em.apiUrl}leads(${leadId})` } });
    expect(dup.status).toBe(400);
    expect(dup.json.error).toEqual({ code: '0x80040237', message: 'Cannot insert duplicate key.' });

    const relative = await call(em, `${path}/$ref`, { method: 'POST', body: { '@odata.id': `leads(${leadId})` } });
    expect(relative.status).toBe(400);

    const gone = await call(em, `${path}/$ref?$id=${encodeURIComponent(`${em.apiUrl}leads(${leadId})`)}`, { method: 'DELETE' });
    expect(gone.status).toBe(204);
    expect((await call(em, path)).json.value).toEqual([]);
  });

  it('should roll an association back with the change set that made it', async () => {
    const path = `accounts(${accountId})/accountleads_association`;
    const { boundary, body } = changeSetBatch([
      { method: 'POST', url: `${em.apiUrl}${path}/$ref`, body: { '@odata.id': `${em.apiUrl}leads(${leadId})` } },
      {
        method: 'PATCH',
        url: `${em.apiUrl}leads(0badc0de-0000-4000-8000-00000000000e)`,
        headers: { 'If-Match': '*' },
        body: { subject: 'x' },
      },
    ]);
    const r = await call(em, '$batch', { method: 'POST', headers: { 'Content-Type': `multipart/mixed; boundary="${boundary}"` }, body });
    expect(r.status).toBe(400);
    expect((await call(em, path)).json.value).toEqual([]);
  });

  it('should refuse $ref after a property that is not a collection navigation', async () => {
    const r = await call(em, `accounts(${accountId})/name/$ref`, { method: 'POST', body: { '@odata.id': `${em.apiUrl}leads(${leadId})` } });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: '0x8006088a', message: "The URI segment '$ref' is invalid after the segment 'name'." });
  });
});
