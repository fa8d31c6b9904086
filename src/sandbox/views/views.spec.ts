import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../index';
import { parseXml } from '../fetchxml/xml';
import { ANNOTATIONS, call } from '../spec-support';
import { EmulatorHandle } from '../types';

describe('emulator views (savedquery, userquery, ?savedQuery=, ?userQuery=)', () => {
  let em: EmulatorHandle;
  const rows = (set: string) => {
    const out: Record<string, any>[] = [];
    em.store.count(set, (r) => (out.push(r), false));
    return out;
  };
  const views = async (set: 'savedqueries' | 'userqueries', table: string, token?: string) => {
    const pk = set === 'savedqueries' ? 'savedqueryid' : 'userqueryid';
    const select = `${pk},name,returnedtypecode,querytype,fetchxml,layoutxml${set === 'savedqueries' ? ',isdefault,isquickfindquery' : ''}`;
    const r = await call(
      em,
      `${set}?$select=${select}&$filter=${encodeURIComponent(`returnedtypecode eq '${table}' and statecode eq 0`)}`,
      {
        token,
      },
    );
    expect(r.status).toBe(200);
    return r.json.value as Record<string, any>[];
  };

  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  it('should have one default public view, a quick find view and a lookup view per sample table', async () => {
    for (const table of [
      'account',
      'contact',
      'lead',
      'opportunity',
      'task',
      'appointment',
      'email',
      'phonecall',
      'cr8a1_project',
      'systemuser',
      'team',
    ]) {
      const v = await views('savedqueries', table);
      expect(v.filter((x) => x.querytype === 0 && x.isdefault)).toHaveLength(1);
      const qf = v.filter((x) => x.querytype === 4 && x.isquickfindquery);
      expect(qf).toHaveLength(1);
      expect(qf[0].fetchxml).toContain('<filter type="or" isquickfindfields="1">');
      expect(qf[0].fetchxml).toContain('value="{0}"');
      expect(v.filter((x) => x.querytype === 64)).toHaveLength(1);
    }
  });

  it('should give the default contact view the columns the app shows, in the layoutxml cell order', async () => {
    const v = (await views('savedqueries', 'contact')).find((x) => x.isdefault)!;
    expect(v.name).toBe('Active Contacts');
    const grid = parseXml(v.layoutxml);
    expect(grid.name).toBe('grid');
    const row = grid.children[0];
    expect(row.attrs).toEqual({ name: 'result', id: 'contactid' });
    expect(row.children.map((c) => c.attrs.name)).toEqual(['fullname', 'parentcustomerid', 'address1_city', 'telephone1', 'emailaddress1']);
    const account = (await views('savedqueries', 'account')).find((x) => x.isdefault)!;
    expect(account.layoutxml).toContain('<cell name="accountprimarycontactidcontactcontactid.emailaddress1" width="150" />');
  });

  it('should run every system view of every table', async () => {
    const all = rows('savedqueries');
    expect(all.length).toBeGreaterThan(40);
    for (const v of all) {
      const set = (await call(em, `EntityDefinitions(LogicalName='${v.returnedtypecode}')?$select=EntitySetName`)).json.EntitySetName;
      const r = await call(em, `${set}?savedQuery=${v.savedqueryid}`);
      expect({ view: v.name, status: r.status }).toEqual({ view: v.name, status: 200 });
    }
  });

  it('should run the default view with nulls omitted and the view filter applied', async () => {
    const v = (await views('savedqueries', 'contact')).find((x) => x.isdefault)!;
    const r = await call(em, `contacts?savedQuery=${v.savedqueryid}`, { headers: ANNOTATIONS });
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(rows('contacts').filter((c) => c.statecode === 0).length);
    for (const row of r.json.value.slice(0, 50)) for (const val of Object.values(row)) expect(val).not.toBeNull();
    const names = r.json.value.map((x: any) => x.fullname.toLowerCase());
    expect(names).toEqual([...names].sort());
    const account = (await views('savedqueries', 'account')).find((x) => x.isdefault)!;
    const a = await call(em, `accounts?savedQuery=${account.savedqueryid}`, { headers: ANNOTATIONS });
    const linked = a.json.value.find((x: any) => x['accountprimarycontactidcontactcontactid.emailaddress1']);
    expect(linked['accountprimarycontactidcontactcontactid.emailaddress1@OData.Community.Display.V1.AttributeName']).toBe('emailaddress1');
  });

  it('should run My Open Opportunities for the caller (eq-userid), whoever calls', async () => {
    const v = (await views('savedqueries', 'opportunity')).find((x) => x.name === 'My Open Opportunities')!;
    expect(v.fetchxml).toContain('operator="eq-userid"');
    const mine = await call(em, `opportunities?savedQuery=${v.savedqueryid}`);
    const expected = rows('opportunities').filter((o) => o.statecode === 0 && o._ownerid_value === em.sandboxUserId);
    expect(expected.length).toBeGreaterThan(0);
    expect(mine.json.value.map((o: any) => o.opportunityid).sort()).toEqual(expected.map((o) => o.opportunityid).sort());
    const other = rows('systemusers').find((u) => u.systemuserid !== em.sandboxUserId && u.fullname === 'Alex Wilber')!;
    const theirs = await call(em, `opportunities?savedQuery=${v.savedqueryid}`, { token: em.issueToken(other.systemuserid) });
    expect(theirs.json.value.length).toBe(
      rows('opportunities').filter((o) => o.statecode === 0 && o._ownerid_value === other.systemuserid).length,
    );
  });

  it("should list and run only the caller's personal views", async () => {
    const personal = rows('userqueries');
    const mine = personal.filter((v) => v._ownerid_value === em.sandboxUserId);
    const others = personal.filter((v) => v._ownerid_value !== em.sandboxUserId);
    expect(mine.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    const listed = await call(em, 'userqueries?$select=name');
    expect(listed.json.value.map((v: any) => v.name).sort()).toEqual(mine.map((v) => v.name).sort());
    const big = mine.find((v) => v.name === 'My Big Open Deals')!;
    expect(big.returnedtypecode).toBe('opportunity');
    const r = await call(em, `opportunities?userQuery=${big.userqueryid}`);
    expect(r.status).toBe(200);
    const values = r.json.value.map((o: any) => o.estimatedvalue);
    expect(values.length).toBe(rows('opportunities').filter((o) => o.statecode === 0 && o.estimatedvalue >= 100000).length);
    expect(values).toEqual([...values].sort((a: number, b: number) => b - a));
    const hidden = await call(em, `accounts?userQuery=${others[0].userqueryid}`);
    expect(hidden.status).toBe(404);
    expect(hidden.json.error).toEqual({ code: '0x80040217', message: `userquery With Id = ${others[0].userqueryid} Does Not Exist` });
  });

  it('should refuse an unknown view, a malformed id and a view of another table', async () => {
    const missing = await call(em, 'contacts?savedQuery=00000000-0000-0000-0000-000000000001');
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBe('savedquery With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist');
    const bad = await call(em, 'contacts?savedQuery=Active%20Contacts');
    expect(bad.status).toBe(400);
    const v = (await views('savedqueries', 'account')).find((x) => x.isdefault)!;
    const wrong = await call(em, `contacts?savedQuery=${v.savedqueryid}`);
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toBe(
      `The savedquery with Id = ${v.savedqueryid} returns 'account' records, not 'contact'; send it to that table's entity set.`,
    );
  });

  it('should add the views to a data file written before the view tables existed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dv-views-'));
    try {
      const dataFile = join(dir, 'data.json');
      const a = await startEmulator({ dataFile });
      await call(a, 'accounts', { method: 'POST', body: { name: 'Before views' } });
      await a.close();
      const snap = JSON.parse(readFileSync(dataFile, 'utf8'));
      delete snap.tables.savedquery;
      delete snap.tables.userquery;
      writeFileSync(dataFile, JSON.stringify(snap));
      const b = await startEmulator({ dataFile });
      try {
        expect(b.store.count('savedqueries')).toBe(em.store.count('savedqueries'));
        expect(b.store.count('userqueries')).toBe(em.store.count('userqueries'));
        expect((await call(b, "accounts?$select=name&$filter=name eq 'Before views'")).json.value).toHaveLength(1);
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should describe savedquery and userquery in the metadata', async () => {
    const r = await call(em, "EntityDefinitions(LogicalName='savedquery')?$select=EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute");
    expect(r.json).toMatchObject({ EntitySetName: 'savedqueries', PrimaryIdAttribute: 'savedqueryid', PrimaryNameAttribute: 'name' });
    const u = await call(em, "EntityDefinitions(LogicalName='userquery')/Attributes?$select=LogicalName");
    expect(u.json.value.map((a: any) => a.LogicalName)).toEqual(
      expect.arrayContaining(['fetchxml', 'layoutxml', 'returnedtypecode', 'ownerid']),
    );
  });
});
