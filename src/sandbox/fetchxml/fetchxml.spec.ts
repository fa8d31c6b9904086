import { startEmulator } from '../index';
import { ANNOTATIONS, call } from '../spec-support';
import { EmulatorHandle } from '../types';

const FV = '@OData.Community.Display.V1.FormattedValue';
const AN = '@OData.Community.Display.V1.AttributeName';
const LLN = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const COOKIE = '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const MORE = '@Microsoft.Dynamics.CRM.morerecords';

describe('emulator FetchXML (?fetchXml=)', () => {
  let em: EmulatorHandle;
  const rows = (set: string) => {
    const out: Record<string, any>[] = [];
    em.store.count(set, (r) => (out.push(r), false));
    return out;
  };
  const fetch = (set: string, xml: string, headers: Record<string, string> = ANNOTATIONS) =>
    call(em, `${set}?fetchXml=${encodeURIComponent(xml)}`, { headers });
  const cond = (attr: string, op: string, value?: string) =>
    `<fetch><entity name="contact"><attribute name="contactid"/><filter><condition attribute="${attr}" operator="${op}"${value === undefined ? '' : ` value="${value}"`}/></filter></entity></fetch>`;

  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  it('should return the attributes, ordered, with an outer link-entity column named alias.field and its annotations', async () => {
    const r = await fetch(
      'contacts',
      `<fetch top="20"><entity name="contact"><attribute name="fullname"/><attribute name="parentcustomerid"/>
        <order attribute="fullname" descending="true"/>
        <link-entity name="account" from="accountid" to="parentcustomerid" link-type="outer" alias="acct">
          <attribute name="name"/><attribute name="industrycode"/><attribute name="primarycontactid"/>
        </link-entity></entity></fetch>`,
    );
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#contacts`);
    const v = r.json.value;
    expect(v).toHaveLength(20);
    const names = v.map((x: any) => x.fullname);
    expect(names).toEqual([...names].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())));
    const linked = v.find((x: any) => x['acct.industrycode'] !== undefined);
    const account = em.store.get('accounts', linked._parentcustomerid_value)!;
    expect(linked['acct.name']).toBe(account.name);
    expect(linked[`acct.name${AN}`]).toBe('name');
    expect(linked[`acct.industrycode${AN}`]).toBe('industrycode');
    expect(linked[`acct.industrycode${FV}`]).toEqual(expect.any(String));
    expect(linked.contactid).toMatch(/^[0-9a-f-]{36}$/);
    expect(linked['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(linked[`_parentcustomerid_value${LLN}`]).toBe('account');
    const withPrimary = v.find((x: any) => x['acct.primarycontactid']);
    if (withPrimary) expect(withPrimary[`acct.primarycontactid${LLN}`]).toBe('contact');
    const orphan = v.find((x: any) => x._parentcustomerid_value === undefined);
    if (orphan) expect(Object.keys(orphan).some((k) => k.startsWith('acct.'))).toBe(false);
  });

  it('should drop rows without a match for an inner link-entity and keep them for an outer one', async () => {
    const link = (type: string) =>
      `<fetch><entity name="contact"><attribute name="fullname"/><link-entity name="account" from="accountid" to="parentcustomerid" link-type="${type}"><attribute name="name"/></link-entity></entity></fetch>`;
    const inner = await fetch('contacts', link('inner'), {});
    const outer = await fetch('contacts', link('outer'), {});
    const all = rows('contacts');
    expect(inner.json.value).toHaveLength(all.filter((c) => c._parentcustomerid_value).length);
    expect(outer.json.value).toHaveLength(all.length);
    expect(inner.json.value.length).toBeLessThan(outer.json.value.length);
    expect(inner.json.value[0]).toHaveProperty(['account1.name']);
  });

  it('should filter on a link-entity and on a link alias from the root filter (entityname)', async () => {
    const r = await fetch(
      'contacts',
      `<fetch><entity name="contact"><attribute name="fullname"/>
        <filter><condition entityname="a" attribute="address1_city" operator="eq" value="Seattle"/></filter>
        <link-entity name="account" from="accountid" to="parentcustomerid" alias="a" link-type="outer"/></entity></fetch>`,
      {},
    );
    const seattle = new Set(
      rows('accounts')
        .filter((a) => a.address1_city === 'Seattle')
        .map((a) => a.accountid),
    );
    expect(r.json.value.length).toBe(rows('contacts').filter((c) => seattle.has(c._parentcustomerid_value)).length);
    expect(r.json.value.length).toBeGreaterThan(0);
  });

  it('should return every column with a value for all-attributes and for an entity without attributes', async () => {
    for (const inner of ['<all-attributes/>', '']) {
      const r = await fetch('accounts', `<fetch top="1"><entity name="account">${inner}</entity></fetch>`, {});
      const [row] = r.json.value;
      const stored = em.store.get('accounts', row.accountid)!;
      expect(row.name).toBe(stored.name);
      expect(row._ownerid_value).toBe(stored._ownerid_value);
      for (const [k, v] of Object.entries(row)) if (k !== '@odata.etag') expect(v).not.toBeNull();
    }
  });

  it.each([
    ['statecode', 'eq', '1', (c: any) => c.statecode === 1],
    ['statecode', 'ne', '1', (c: any) => c.statecode !== 1],
    ['fullname', 'like', 'A%n', (c: any) => /^a.*n$/i.test(c.fullname)],
    ['fullname', 'not-like', '%e%', (c: any) => !/e/i.test(c.fullname)],
    ['fullname', 'begins-with', 'Mar', (c: any) => /^mar/i.test(c.fullname)],
    ['mobilephone', 'null', undefined, (c: any) => c.mobilephone === null],
    ['mobilephone', 'not-null', undefined, (c: any) => c.mobilephone !== null],
    ['createdon', 'on-or-after', '2026-01-01', (c: any) => c.createdon >= '2026-01-01'],
    ['createdon', 'on-or-before', '2025-06-30', (c: any) => c.createdon < '2025-07-01'],
    ['createdon', 'gt', '2026-03-01T00:00:00Z', (c: any) => c.createdon > '2026-03-01T00:00:00Z'],
    ['createdon', 'le', '2025-03-01T00:00:00Z', (c: any) => c.createdon <= '2025-03-01T00:00:00Z'],
    ['donotemail', 'eq', '1', (c: any) => c.donotemail === true],
  ])('should apply the condition %s %s %s', async (attr, op, value, pred) => {
    const r = await fetch('contacts', cond(attr, op, value), {});
    expect(r.status).toBe(200);
    const expected = rows('contacts').filter(pred).length;
    expect(expected).toBeGreaterThan(0);
    expect(r.json.value).toHaveLength(expected);
  });

  it('should match like on a lookup against the related record name', async () => {
    const r = await fetch('contacts', cond('parentcustomerid', 'like', 'Contoso%'), {});
    const ids = new Set(
      rows('accounts')
        .filter((a) => /^contoso/i.test(a.name))
        .map((a) => a.accountid),
    );
    expect(ids.size).toBeGreaterThan(0);
    expect(r.json.value).toHaveLength(rows('contacts').filter((c) => ids.has(c._parentcustomerid_value)).length);
  });

  it('should apply in, not-in, between, eq-userid, last-x-days and nested and/or filters', async () => {
    const all = rows('opportunities');
    const q = async (filter: string) =>
      (
        await fetch(
          'opportunities',
          `<fetch><entity name="opportunity"><attribute name="name"/><filter>${filter}</filter></entity></fetch>`,
          {},
        )
      ).json.value.length;
    expect(await q('<condition attribute="statuscode" operator="in"><value>1</value><value>3</value></condition>')).toBe(
      all.filter((o) => [1, 3].includes(o.statuscode)).length,
    );
    expect(await q('<condition attribute="statuscode" operator="not-in"><value>1</value><value>3</value></condition>')).toBe(
      all.filter((o) => ![1, 3].includes(o.statuscode)).length,
    );
    expect(await q('<condition attribute="estimatedvalue" operator="between"><value>50000</value><value>150000</value></condition>')).toBe(
      all.filter((o) => o.estimatedvalue >= 50000 && o.estimatedvalue <= 150000).length,
    );
    const mine = all.filter((o) => o._ownerid_value === em.sandboxUserId);
    expect(mine.length).toBeGreaterThan(0);
    expect(await q('<condition attribute="ownerid" operator="eq-userid"/>')).toBe(mine.length);
    const since = Date.now() - 400 * 86400000;
    expect(await q('<condition attribute="createdon" operator="last-x-days" value="400"/>')).toBe(
      all.filter((o) => Date.parse(o.createdon) >= Math.floor(since / 86400000) * 86400000).length,
    );
    expect(
      await q(
        '<condition attribute="statecode" operator="eq" value="0"/><filter type="or"><condition attribute="closeprobability" operator="ge" value="80"/><condition attribute="estimatedvalue" operator="gt" value="300000"/></filter>',
      ),
    ).toBe(all.filter((o) => o.statecode === 0 && (o.closeprobability >= 80 || o.estimatedvalue > 300000)).length);
  });

  it('should page with count/page, the paging cookie and morerecords when asked for them', async () => {
    const xml = (page: number, cookie?: string) =>
      `<fetch count="250" page="${page}"${cookie ? ` paging-cookie="${cookie.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}"` : ''}><entity name="contact"><attribute name="fullname"/></entity></fetch>`;
    const prefer = { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"' };
    const p1 = await fetch('contacts', xml(1), prefer);
    expect(p1.json.value).toHaveLength(250);
    expect(p1.json[MORE]).toBe(true);
    const cookie: string = p1.json[COOKIE];
    expect(cookie).toMatch(/^<cookie pagenumber="2" pagingcookie="%253ccookie%2520page%253d%25221%2522%253e.*" istracking="False" \/>$/);
    const inner = decodeURIComponent(decodeURIComponent(/pagingcookie="([^"]*)"/.exec(cookie)![1]));
    expect(inner).toBe(
      `<cookie page="1"><contactid last="{${p1.json.value[249].contactid.toUpperCase()}}" first="{${p1.json.value[0].contactid.toUpperCase()}}" /></cookie>`,
    );
    const p2 = await fetch('contacts', xml(2, inner), prefer);
    expect(p2.json.value).toHaveLength(250);
    expect(p2.json.value[0].contactid > p1.json.value[249].contactid).toBe(true);
    const early = inner.replace(/last="\{[^}]*\}"/, `last="{${p1.json.value[99].contactid.toUpperCase()}}"`);
    const fromCookie = await fetch('contacts', xml(2, early), prefer);
    expect(fromCookie.json.value[0].contactid).toBe(p1.json.value[100].contactid);
    const p3 = await fetch('contacts', xml(3), prefer);
    expect(p3.json.value).toHaveLength(rows('contacts').length - 500);
    expect(p3.json[MORE]).toBeUndefined();
    expect(p3.json[COOKIE]).toBeUndefined();
    const plain = await fetch('contacts', xml(1), {});
    expect(plain.json[MORE]).toBeUndefined();
    const total = await fetch(
      'contacts',
      '<fetch count="5" returntotalrecordcount="true"><entity name="contact"><attribute name="fullname"/></entity></fetch>',
      {},
    );
    expect(total.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(rows('contacts').length);
    expect(total.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
  });

  it('should aggregate open opportunities per owner: sum, avg, min, max, count and countcolumn distinct, ordered by an alias', async () => {
    const r = await fetch(
      'opportunities',
      `<fetch aggregate="true"><entity name="opportunity">
        <attribute name="ownerid" alias="owner" groupby="true"/>
        <attribute name="estimatedvalue" alias="total" aggregate="sum"/>
        <attribute name="estimatedvalue" alias="avg" aggregate="avg"/>
        <attribute name="estimatedvalue" alias="lo" aggregate="min"/>
        <attribute name="estimatedvalue" alias="hi" aggregate="max"/>
        <attribute name="opportunityid" alias="n" aggregate="count"/>
        <attribute name="parentaccountid" alias="accounts" aggregate="countcolumn" distinct="true"/>
        <filter><condition attribute="statecode" operator="eq" value="0"/></filter>
        <order alias="total" descending="true"/></entity></fetch>`,
    );
    expect(r.status).toBe(200);
    const open = rows('opportunities').filter((o) => o.statecode === 0);
    const totals = r.json.value.map((g: any) => g.total);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    for (const g of r.json.value) {
      const mine = open.filter((o) => o._ownerid_value === g.owner);
      const vals = mine.map((o) => o.estimatedvalue);
      expect(g.n).toBe(mine.length);
      expect(g.total).toBe(vals.reduce((s, v) => s + v, 0));
      expect(g.lo).toBe(Math.min(...vals));
      expect(g.hi).toBe(Math.max(...vals));
      expect(g.avg).toBeCloseTo(g.total / mine.length, 3);
      expect(g.accounts).toBe(new Set(mine.map((o) => o._parentaccountid_value)).size);
      expect(g[`owner${LLN}`]).toMatch(/^(systemuser|team)$/);
      expect(g[`owner${FV}`]).toEqual(expect.any(String));
      expect(g[`total${FV}`]).toMatch(/^\$[\d,]+\.\d\d$/);
      expect(g).not.toHaveProperty('@odata.etag');
    }
  });

  it('should group leads created this year by month with dategrouping', async () => {
    const r = await fetch(
      'leads',
      `<fetch aggregate="true"><entity name="lead">
        <attribute name="createdon" alias="month" groupby="true" dategrouping="month"/>
        <attribute name="leadid" alias="count" aggregate="count"/>
        <filter><condition attribute="createdon" operator="on-or-after" value="2026-01-01"/></filter></entity></fetch>`,
    );
    expect(r.status).toBe(200);
    const leads = rows('leads').filter((l) => l.createdon >= '2026-01-01');
    const months = r.json.value.map((g: any) => g.month);
    expect(months.length).toBeGreaterThanOrEqual(6);
    expect(months).toEqual([...months].sort((a, b) => a - b));
    for (const g of r.json.value) {
      expect(g.count).toBe(leads.filter((l) => new Date(l.createdon).getUTCMonth() + 1 === g.month).length);
      expect(g[`month${FV}`]).toBe(String(g.month));
    }
    const parts = await fetch(
      'leads',
      `<fetch aggregate="true"><entity name="lead"><attribute name="createdon" alias="y" groupby="true" dategrouping="year"/><attribute name="createdon" alias="q" groupby="true" dategrouping="quarter"/><attribute name="leadid" alias="n" aggregate="count"/></entity></fetch>`,
      {},
    );
    expect(parts.json.value.reduce((s: number, g: any) => s + g.n, 0)).toBe(rows('leads').length);
    expect(parts.json.value.every((g: any) => g.q >= 1 && g.q <= 4 && g.y >= 2024)).toBe(true);
  });

  it('should group by a linked attribute: accounts of contacts per industry', async () => {
    const r = await fetch(
      'contacts',
      `<fetch aggregate="true"><entity name="contact"><attribute name="contactid" alias="n" aggregate="count"/>
        <link-entity name="account" from="accountid" to="parentcustomerid" alias="a"><attribute name="industrycode" alias="industry" groupby="true"/></link-entity>
      </entity></fetch>`,
    );
    expect(r.status).toBe(200);
    const withAccount = rows('contacts').filter((c) => c._parentcustomerid_value);
    expect(r.json.value.reduce((s: number, g: any) => s + g.n, 0)).toBe(withAccount.length);
    expect(r.json.value.find((g: any) => g.industry === 1)[`industry${FV}`]).toBe('Accounting');
  });

  it('should answer AggregateQueryRecordLimit past the configured limit', async () => {
    const small = await startEmulator({ aggregateRecordLimit: 50 });
    try {
      const xml =
        '<fetch aggregate="true"><entity name="contact"><attribute name="contactid" alias="n" aggregate="count"/></entity></fetch>';
      const r = await call(small, `contacts?fetchXml=${encodeURIComponent(xml)}`);
      expect(r.status).toBe(400);
      expect(r.json.error).toEqual({ code: '0x8004E023', message: 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.' });
    } finally {
      await small.close();
    }
  });

  it('should accept a FetchXML URL up to the service limit of 32,768 characters and answer 414 past it', async () => {
    const xml = (n: number) =>
      `<fetch><entity name="contact"><attribute name="fullname"/><filter><condition attribute="fullname" operator="in">${Array.from(
        { length: n },
        (_, i) => `<value>Name ${i}</value>`,
      ).join('')}</condition></filter></entity></fetch>`;
    const url = (n: number) => `contacts?fetchXml=${encodeURIComponent(xml(n))}`;
    let n = 100;
    while ((em.apiUrl + url(n + 20)).length - em.url.length < 32_000) n += 20;
    const long = await call(em, url(n));
    expect(long.status).toBe(200);
    expect((em.apiUrl + url(n)).length - em.url.length).toBeGreaterThan(20_000);
    const tooLong = await call(em, url(n * 2));
    expect(tooLong.status).toBe(414);
  });

  it('should answer the documented errors', async () => {
    const unknown = await fetch('accounts', '<fetch><entity name="account"><attribute name="nmae"/></entity></fetch>');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toEqual({
      code: '0x80041103',
      message: "'account' entity doesn't contain attribute with Name = 'nmae' and NameMapping = 'Logical'.",
    });
    const value = await fetch('accounts', '<fetch><entity name="account"><attribute name="_ownerid_value"/></entity></fetch>');
    expect(value.json.error.code).toBe('0x80041103');
    const linked = await fetch(
      'contacts',
      '<fetch><entity name="contact"><link-entity name="account" from="accountid" to="parentcustomerid"><attribute name="nope"/></link-entity></entity></fetch>',
    );
    expect(linked.json.error.message).toBe("'account' entity doesn't contain attribute with Name = 'nope' and NameMapping = 'Logical'.");
    const links = '<link-entity name="account" from="accountid" to="parentcustomerid" link-type="outer"/>'.repeat(16);
    const many = await fetch('contacts', `<fetch><entity name="contact">${links}</entity></fetch>`);
    expect(many.status).toBe(400);
    expect(many.json.error).toEqual({ code: '0x8004430D', message: 'Number of link entities in query exceeded maximum limit.' });
    const malformed = await fetch('contacts', '<fetch><entity name="contact"><attribute name="fullname"></entity></fetch>');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toMatch(/^The FetchXML is not well-formed XML: The end tag '<\/entity>' does not match/);
    const entity = await fetch('contacts', '<fetch><entity name="contacts"/></fetch>');
    expect(entity.json.error.message).toBe(
      "The entity with a name = 'contacts' with namemapping = 'Logical' was not found in the MetadataCache.",
    );
    const mismatch = await fetch('contacts', '<fetch><entity name="account"/></fetch>');
    expect(mismatch.json.error.message).toMatch(/does not match the entity name in the EntitySet 'contact'/);
    const op = await fetch('contacts', cond('fullname', 'sounds-like', 'x'));
    expect(op.json.error.message).toBe("The condition operator 'sounds-like' is not valid or not supported.");
    const orderAttr = await fetch(
      'contacts',
      '<fetch aggregate="true"><entity name="contact"><attribute name="contactid" alias="n" aggregate="count"/><order attribute="fullname"/></entity></fetch>',
    );
    expect(orderAttr.json.error.message).toBe('An attribute cannot be specified for an order clause for an aggregate Query. Use an alias');
    const topCount = await fetch('contacts', '<fetch top="5" count="5"><entity name="contact"/></fetch>');
    expect(topCount.status).toBe(400);
    const badValue = await fetch('contacts', cond('statecode', 'eq', 'Active'));
    expect(badValue.json.error.message).toBe("The value 'Active' is not valid for the attribute 'statecode' of type State.");
  });
});
