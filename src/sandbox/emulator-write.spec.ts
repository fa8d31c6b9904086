import { randomUUID } from 'node:crypto';
import { startEmulator } from './index';
import { call } from './spec-support';
import { EmulatorHandle } from './types';

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('Dataverse emulator: writes', () => {
  let em: EmulatorHandle;
  const firstId = async (set: string, filter = '') => {
    const pk = set === 'accounts' ? 'accountid' : set === 'contacts' ? 'contactid' : 'activityid';
    const r = await call(em, `${set}?$select=${pk}&$top=1${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`);
    return r.json.value[0][pk] as string;
  };
  const newAccount = async (body: Record<string, unknown> = {}) => {
    const r = await call(em, 'accounts', { method: 'POST', body: { name: 'Temp account', ...body } });
    expect(r.status).toBe(204);
    return /\(([^)]+)\)$/.exec(r.headers.get('odata-entityid')!)![1];
  };

  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  describe('POST', () => {
    it('should answer 204 with OData-EntityId when creating without return=representation', async () => {
      const r = await call(em, 'accounts', { method: 'POST', body: { name: 'Northwind Nordic AB', revenue: 20000, industrycode: 7 } });
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
      expect(r.headers.get('odata-entityid')).toMatch(new RegExp(`^${em.apiUrl.replace(/[.$]/g, '\\$&')}accounts\\(${GUID}\\)$`));
      const id = /\(([^)]+)\)$/.exec(r.headers.get('odata-entityid')!)![1];
      const stored = em.store.get('accounts', id)!;
      expect(stored).toMatchObject({
        name: 'Northwind Nordic AB',
        revenue: 20000,
        statecode: 0,
        statuscode: 1,
        _ownerid_value: em.sandboxUserId,
        _createdby_value: em.sandboxUserId,
      });
      expect(typeof stored.createdon).toBe('string');
    });

    it('should answer 201 with the record and Preference-Applied when return=representation is preferred', async () => {
      const r = await call(em, 'accounts?$select=name,revenue', {
        method: 'POST',
        headers: { Prefer: 'return=representation' },
        body: { name: 'Fourth Coffee Roasters', revenue: 1500.5 },
      });
      expect(r.status).toBe(201);
      expect(r.headers.get('preference-applied')).toBe('return=representation');
      expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#accounts(name,revenue)/$entity`);
      expect(r.json).toMatchObject({
        name: 'Fourth Coffee Roasters',
        revenue: 1500.5,
        accountid: expect.stringMatching(new RegExp(`^${GUID}$`)),
      });
      expect(r.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    });

    it('should honour a client-supplied primary key when creating', async () => {
      const id = randomUUID();
      const r = await call(em, 'accounts', { method: 'POST', body: { accountid: id, name: 'Keyed account' } });
      expect(r.status).toBe(204);
      expect(r.headers.get('odata-entityid')).toBe(`${em.apiUrl}accounts(${id})`);
      const again = await call(em, 'accounts', { method: 'POST', body: { accountid: id, name: 'Keyed account' } });
      expect(again.status).toBe(412);
    });

    it('should set lookups when binding with the exact navigation property name', async () => {
      const accountId = await firstId('accounts');
      const r = await call(em, 'contacts?$select=fullname,_parentcustomerid_value', {
        method: 'POST',
        headers: { Prefer: 'return=representation,odata.include-annotations="*"' },
        body: { firstname: 'Siobhán', lastname: "O'Connor", 'parentcustomerid_account@odata.bind': `/accounts(${accountId})` },
      });
      expect(r.status).toBe(201);
      expect(r.headers.get('preference-applied')).toBe('return=representation,odata.include-annotations="*"');
      expect(r.json.fullname).toBe("Siobhán O'Connor");
      expect(r.json._parentcustomerid_value).toBe(accountId);
      expect(r.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
      const project = await call(em, 'cr8a1_projects', {
        method: 'POST',
        body: { cr8a1_name: 'Pilot', cr8a1_stage: 100000000, 'cr8a1_AccountId@odata.bind': `/accounts(${accountId})` },
      });
      expect(project.status).toBe(204);
    });

    it('should answer 400 0x80048d19 when the bind uses a wrong navigation name', async () => {
      const accountId = await firstId('accounts');
      for (const nav of ['parentcustomerid', 'ParentCustomerId_account']) {
        const r = await call(em, 'contacts', { method: 'POST', body: { lastname: 'X', [`${nav}@odata.bind`]: `/accounts(${accountId})` } });
        expect(r.status).toBe(400);
        expect(r.json.error.code).toBe('0x80048d19');
        expect(r.json.error.message).toContain(`An undeclared property '${nav}' which only has property annotations in the payload`);
      }
      const lower = await call(em, 'cr8a1_projects', {
        method: 'POST',
        body: { cr8a1_name: 'P', 'cr8a1_accountid@odata.bind': `/accounts(${accountId})` },
      });
      expect(lower.status).toBe(400);
      expect(lower.json.error.code).toBe('0x80048d19');
    });

    it('should answer 400 0x0 when the body has an unknown property', async () => {
      const r = await call(em, 'accounts', { method: 'POST', body: { Name: 'x' } });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        error: { code: '0x0', message: "Invalid property 'Name' was found in entity 'Microsoft.Dynamics.CRM.account'." },
      });
    });

    it('should answer 404 naming the target when the bind points to a missing record', async () => {
      const missing = randomUUID();
      const r = await call(em, 'contacts', {
        method: 'POST',
        body: { lastname: 'X', 'parentcustomerid_account@odata.bind': `/accounts(${missing})` },
      });
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ error: { code: '0x80040217', message: `account With Id = ${missing} Does Not Exist` } });
    });

    it('should validate types, lengths and choice values when creating', async () => {
      const long = await call(em, 'accounts', { method: 'POST', body: { name: 'x'.repeat(161) } });
      expect(long.status).toBe(400);
      expect(long.json.error.message).toMatch(/exceeded the maximum allowed length of '160'/);
      const choice = await call(em, 'accounts', { method: 'POST', body: { name: 'x', industrycode: 999 } });
      expect(choice.status).toBe(400);
      expect(choice.json.error.message).toMatch(/The value 999 of 'industrycode' on record of type 'account' is outside the valid range/);
      const num = await call(em, 'accounts', { method: 'POST', body: { name: 'x', numberofemployees: 'many' } });
      expect(num.status).toBe(400);
      expect(num.json.error.message).toContain("Cannot convert the literal 'many' to the expected type 'Edm.Int32'.");
      const date = await call(em, 'contacts', { method: 'POST', body: { lastname: 'x', birthdate: 'yesterday' } });
      expect(date.status).toBe(400);
      const lookup = await call(em, 'contacts', { method: 'POST', body: { lastname: 'x', _parentcustomerid_value: randomUUID() } });
      expect(lookup.status).toBe(400);
      const json = await call(em, 'accounts', { method: 'POST', body: '{"name":' });
      expect(json.status).toBe(400);
    });

    it('should deep insert activity parties and read them back when expanding the parties', async () => {
      const [c1, c2] = (await call(em, 'contacts?$select=contactid&$top=2')).json.value.map((c: any) => c.contactid);
      const accountId = await firstId('accounts');
      const r = await call(em, 'appointments', {
        method: 'POST',
        body: {
          subject: 'Kick-off',
          location: 'Teams',
          scheduledstart: '2025-07-01T09:00:00Z',
          scheduledend: '2025-07-01T10:00:00Z',
          'regardingobjectid_account_appointment@odata.bind': `/accounts(${accountId})`,
          appointment_activity_parties: [
            { 'partyid_systemuser@odata.bind': `/systemusers(${em.sandboxUserId})`, participationtypemask: 7 },
            { 'partyid_contact@odata.bind': `/contacts(${c1})`, participationtypemask: 5 },
            { 'partyid_contact@odata.bind': `/contacts(${c2})`, participationtypemask: 6 },
          ],
        },
      });
      expect(r.status).toBe(204);
      const id = /\(([^)]+)\)$/.exec(r.headers.get('odata-entityid')!)![1];
      const back = await call(
        em,
        `appointments(${id})?$select=subject,scheduleddurationminutes,_regardingobjectid_value&$expand=appointment_activity_parties($select=participationtypemask,_partyid_value)`,
      );
      expect(back.status).toBe(200);
      expect(back.json).toMatchObject({ subject: 'Kick-off', scheduleddurationminutes: 60, _regardingobjectid_value: accountId });
      const parties = back.json.appointment_activity_parties.map((p: any) => [p.participationtypemask, p._partyid_value]).sort();
      expect(parties).toEqual(
        [
          [5, c1],
          [6, c2],
          [7, em.sandboxUserId],
        ].sort(),
      );
      expect(em.store.count('activityparties', (p) => p._activityid_value === id)).toBe(3);
    });
  });

  describe('PATCH', () => {
    it('should update and bump the rowversion when the record exists', async () => {
      const id = await newAccount();
      const before = (await call(em, `accounts(${id})?$select=name`)).json['@odata.etag'];
      const r = await call(em, `accounts(${id})`, {
        method: 'PATCH',
        headers: { 'If-Match': '*' },
        body: { name: 'Renamed', telephone1: '+1 555 0100' },
      });
      expect(r.status).toBe(204);
      const after = await call(em, `accounts(${id})?$select=name,telephone1`);
      expect(after.json).toMatchObject({ name: 'Renamed', telephone1: '+1 555 0100' });
      expect(Number(/\d+/.exec(after.json['@odata.etag'])![0])).toBeGreaterThan(Number(/\d+/.exec(before)![0]));
    });

    it('should return 200 with the record when return=representation is preferred', async () => {
      const id = await newAccount();
      const r = await call(em, `accounts(${id})?$select=name`, {
        method: 'PATCH',
        headers: { 'If-Match': '*', Prefer: 'return=representation' },
        body: { name: 'Represented' },
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ name: 'Represented', accountid: id });
    });

    it('should create the record when PATCH has no If-Match (upsert)', async () => {
      const id = randomUUID();
      const r = await call(em, `accounts(${id})`, { method: 'PATCH', body: { name: 'Upserted' } });
      expect(r.status).toBe(204);
      expect(em.store.get('accounts', id)?.name).toBe('Upserted');
    });

    it('should answer 404 0x80040217 when If-Match is * and the record is missing', async () => {
      const id = randomUUID();
      const r = await call(em, `accounts(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: { name: 'Nope' } });
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ error: { code: '0x80040217', message: `account With Id = ${id} Does Not Exist` } });
      expect(em.store.get('accounts', id)).toBeUndefined();
    });

    it('should answer 412 when If-Match carries a stale etag', async () => {
      const id = await newAccount();
      const etag = (await call(em, `accounts(${id})?$select=name`)).json['@odata.etag'];
      expect((await call(em, `accounts(${id})`, { method: 'PATCH', headers: { 'If-Match': etag }, body: { name: 'First' } })).status).toBe(
        204,
      );
      const r = await call(em, `accounts(${id})`, { method: 'PATCH', headers: { 'If-Match': etag }, body: { name: 'Second' } });
      expect(r.status).toBe(412);
      expect(r.json.error.message).toBe("The version of the existing record doesn't match the RowVersion property provided.");
      expect(em.store.get('accounts', id)?.name).toBe('First');
    });

    it('should move the status reason with the state when statecode changes', async () => {
      const id = await newAccount();
      await call(em, `accounts(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: { statecode: 1 } });
      expect(em.store.get('accounts', id)).toMatchObject({ statecode: 1, statuscode: 2 });
    });
  });

  describe('DELETE', () => {
    it('should answer 204 and then 404 when deleting twice', async () => {
      const id = await newAccount();
      expect((await call(em, `accounts(${id})`, { method: 'DELETE' })).status).toBe(204);
      const again = await call(em, `accounts(${id})`, { method: 'DELETE' });
      expect(again.status).toBe(404);
      expect(again.json.error.code).toBe('0x80040217');
    });

    it('should refuse with 412 and keep the record when If-Match names an older version', async () => {
      const id = await newAccount();
      const before = await call(em, `accounts(${id})?$select=name`);
      const etag = before.json['@odata.etag'] as string;
      await call(em, `accounts(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: { name: 'Changed meanwhile' } });
      const stale = await call(em, `accounts(${id})`, { method: 'DELETE', headers: { 'If-Match': etag } });
      expect(stale.status).toBe(412);
      expect(em.store.get('accounts', id)).toBeDefined();
      const current = (await call(em, `accounts(${id})?$select=name`)).json['@odata.etag'] as string;
      expect((await call(em, `accounts(${id})`, { method: 'DELETE', headers: { 'If-Match': current } })).status).toBe(204);
    });

    it('should cascade to contacts and activities and clear RemoveLink lookups when an account is deleted', async () => {
      const id = await newAccount();
      const child = await newAccount({ 'parentaccountid@odata.bind': `/accounts(${id})` });
      const contact = await call(em, 'contacts', {
        method: 'POST',
        body: { lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${id})` },
      });
      const contactId = /\(([^)]+)\)$/.exec(contact.headers.get('odata-entityid')!)![1];
      const task = await call(em, 'tasks', {
        method: 'POST',
        body: { subject: 'Call', 'regardingobjectid_contact_task@odata.bind': `/contacts(${contactId})` },
      });
      const taskId = /\(([^)]+)\)$/.exec(task.headers.get('odata-entityid')!)![1];
      const childVersion = em.store.get('accounts', child)!.versionnumber as number;
      expect((await call(em, `accounts(${id})`, { method: 'DELETE' })).status).toBe(204);
      expect(em.store.get('contacts', contactId)).toBeUndefined();
      expect(em.store.get('tasks', taskId)).toBeUndefined();
      expect(em.store.get('accounts', child)?._parentaccountid_value).toBeNull();
      expect(em.store.get('accounts', child)!.versionnumber as number).toBeGreaterThan(childVersion);
    });

    it('should refuse with 0x80040227 when a Restrict relationship has related records', async () => {
      const id = await newAccount();
      await call(em, 'cr8a1_projects', {
        method: 'POST',
        body: { cr8a1_name: 'Restricted', cr8a1_stage: 100000000, 'cr8a1_AccountId@odata.bind': `/accounts(${id})` },
      });
      const r = await call(em, `accounts(${id})`, { method: 'DELETE' });
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('0x80040227');
      expect(em.store.get('accounts', id)).toBeDefined();
    });
  });
});
