import { startEmulator } from './index';
import { parseFilter } from './odata/filter-parser';
import { call } from './spec-support';
import { EmulatorHandle } from './types';

const enc = encodeURIComponent;

describe('Dataverse emulator: $filter grammar', () => {
  let em: EmulatorHandle;
  const names = async (filter: string, set = 'contacts', select = 'fullname') => {
    const r = await call(em, `${set}?$select=${select}&$filter=${enc(filter)}`);
    if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
    return r.json.value as any[];
  };
  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  it('should apply comparison operators when filtering numbers and choices', async () => {
    const big = await names('numberofemployees ge 100000', 'accounts', 'numberofemployees');
    expect(big.length).toBeGreaterThan(0);
    expect(big.every((a) => a.numberofemployees >= 100000)).toBe(true);
    const count = em.store.count('accounts', (a) => typeof a.numberofemployees === 'number' && (a.numberofemployees as number) < 1000);
    expect((await names('numberofemployees lt 1000', 'accounts', 'name')).length).toBe(count);
    const inactive = await names('statecode eq 1', 'accounts', 'statecode');
    expect(inactive.length).toBe(em.store.count('accounts', (a) => a.statecode === 1));
    const notActive = await names('statecode ne 0', 'accounts', 'statecode');
    expect(notActive.length).toBe(inactive.length);
  });

  it('should combine and/or/not with parentheses when filtering', async () => {
    const rows = await names(
      '(statecode eq 0 and (industrycode eq 7 or industrycode eq 16)) and not (revenue eq null)',
      'accounts',
      'industrycode,revenue,statecode',
    );
    expect(rows.length).toBe(
      em.store.count('accounts', (a) => a.statecode === 0 && (a.industrycode === 7 || a.industrycode === 16) && a.revenue !== null),
    );
    expect(rows.every((a) => [7, 16].includes(a.industrycode))).toBe(true);
  });

  it('should match case-insensitively when using contains, startswith and endswith', async () => {
    expect((await names("contains(name,'contoso')", 'accounts', 'name')).map((a) => a.name)).toContain('Contoso Ltd');
    expect((await names("startswith(name,'FABRIKAM')", 'accounts', 'name')).map((a) => a.name)).toContain('Fabrikam, Inc.');
    expect((await names("endswith(name,', inc.')", 'accounts', 'name')).length).toBeGreaterThan(1);
  });

  it("should treat doubled quotes as one apostrophe when a literal contains O''Brien", async () => {
    const rows = await names("lastname eq 'O''Brien'");
    expect(rows.length).toBe(em.store.count('contacts', (c) => c.lastname === "O'Brien"));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((c) => c.fullname.endsWith("O'Brien"))).toBe(true);
  });

  it('should match unicode literals when filtering names like Zoë and Müller', async () => {
    expect((await names("firstname eq 'Zoë'")).length).toBe(em.store.count('contacts', (c) => c.firstname === 'Zoë'));
    expect((await names("lastname eq 'Müller'")).length).toBeGreaterThan(0);
    expect((await names("name eq 'Müller Logistik GmbH'", 'accounts', 'name')).length).toBe(1);
  });

  it('should compare lookups with unquoted GUIDs and null', async () => {
    const contact = (await names('_parentcustomerid_value ne null', 'contacts', '_parentcustomerid_value'))[0];
    const id = contact._parentcustomerid_value;
    const rows = await names(`_parentcustomerid_value eq ${id}`, 'contacts', '_parentcustomerid_value');
    expect(rows.length).toBe(em.store.count('contacts', (c) => c._parentcustomerid_value === id));
    expect((await names(`_parentcustomerid_value eq ${id.toUpperCase()}`, 'contacts', 'fullname')).length).toBe(rows.length);
    const quoted = await call(em, `contacts?$select=fullname&$filter=${enc(`_parentcustomerid_value eq '${id}'`)}`);
    expect(quoted.status).toBe(400);
    expect(quoted.json.error.message).toMatch(/incompatible types/);
  });

  it('should compare dates when the literal is a DateTimeOffset or a Date', async () => {
    const a = await names('createdon ge 2025-11-01T00:00:00Z', 'accounts', 'createdon');
    expect(a.every((x) => Date.parse(x.createdon) >= Date.parse('2025-11-01T00:00:00Z'))).toBe(true);
    const b = await names('createdon lt 2025-11-01', 'accounts', 'createdon');
    expect(a.length + b.length).toBe(em.store.count('accounts'));
    const c = await names('estimatedclosedate le 2026-11-16 and estimatedclosedate gt 2026-07-01', 'opportunities', 'estimatedclosedate');
    expect(c.every((x) => x.estimatedclosedate <= '2026-11-16' && x.estimatedclosedate > '2026-07-01')).toBe(true);
  });

  it('should filter on booleans and on a navigation path', async () => {
    const held = await names('creditonhold eq true', 'accounts', 'creditonhold');
    expect(held.length).toBe(em.store.count('accounts', (a) => a.creditonhold === true));
    const viaNav = await names("parentcustomerid_account/name eq 'Contoso Ltd'", 'contacts', 'fullname');
    expect(viaNav.length).toBeGreaterThan(0);
  });

  it('should support Dataverse query functions when called with named parameters', async () => {
    const mine = await names(`Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')`, 'accounts', 'name');
    expect(mine.length).toBe(em.store.count('accounts', (a) => a._ownerid_value === em.sandboxUserId));
    const inList = await names(
      `Microsoft.Dynamics.CRM.In(PropertyName='industrycode',PropertyValues=['7','16'])`,
      'accounts',
      'industrycode',
    );
    expect(inList.every((a) => [7, 16].includes(a.industrycode))).toBe(true);
    const recent = await call(
      em,
      `accounts?$select=name&$filter=${enc("Microsoft.Dynamics.CRM.LastXDays(PropertyName='createdon',PropertyValue=7)")}`,
    );
    expect(recent.status).toBe(200);
  });

  it('should answer 0x80060888 naming the property when the filter uses an unknown property', async () => {
    const r = await call(em, `contacts?$select=fullname&$filter=${enc("Name eq 'x'")}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: { code: '0x80060888', message: "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.contact'." },
    });
  });

  it('should answer a syntax error with its position when the expression is malformed', async () => {
    for (const f of ['name eq', "name eq 'x' and", "(name eq 'x'", "name eq 'x')", 'name eqq 1', "contains(name 'x')", 'eq 1', '']) {
      const r = await call(em, `accounts?$select=name&$filter=${enc(f)}`);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('0x80060888');
      if (f) expect(r.json.error.message).toMatch(/^Syntax error at position \d+ in '.*'\.$/s);
    }
  });

  it('should treat hostile characters inside a quoted literal as data or reject them with 400', async () => {
    const hostile = [
      'a&b',
      '100%',
      '$top=1',
      "x'; DROP TABLE account;--",
      'line1\nline2',
      '%26',
      "'",
      "''",
      '\u0000',
      '😀',
      'a+b',
      '#',
      '?x=1',
      '\\',
    ];
    for (const s of hostile) {
      const literal = `'${s.replace(/'/g, "''")}'`;
      const r = await call(em, `accounts?$select=name&$filter=${enc(`name eq ${literal}`)}`);
      expect(r.status).toBe(200);
      expect(r.json.value).toEqual([]);
    }
    // raw, unencoded characters in the query string
    for (const raw of ["name eq 'a&b'", "name eq 'a%26b'", "name eq 'x' & $top=1", "name eq 'a%ZZ'", "name eq 'unterminated"]) {
      const r = await call(em, `accounts?$select=name&$filter=${raw}`);
      expect([200, 400]).toContain(r.status);
      if (r.status === 400) expect(r.json.error.code).toMatch(/^0x/);
    }
  });

  it('should find a record whose name contains an ampersand when the ampersand is percent-encoded', async () => {
    const rows = await names("name eq 'City Power & Light'", 'accounts', 'name');
    expect(rows.map((a) => a.name)).toEqual(['City Power & Light']);
  });

  it('should parse operator precedence so that and binds tighter than or', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toMatchObject({ t: 'or', r: { t: 'and' } });
    expect(parseFilter('not a eq 1 and b eq 2')).toMatchObject({ t: 'and', l: { t: 'not' } });
  });
});
