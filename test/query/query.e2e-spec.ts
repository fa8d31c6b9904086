import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';

type Lookup = { id: string; table: string; name: string };
type Group = Record<string, unknown>;
type Page = { records: Array<Record<string, unknown>>; hasMore: boolean; nextCursor?: string };

/** aggregate_records, FetchXML and views in list_records, default columns and filter errors, through the SDK client. */
describe('query power end to end (Streamable HTTP)', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator);
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });
  beforeEach(() => emulator.requestLog.clear());

  /** Every record of a query, page by page (the long way round that aggregate_records replaces). */
  async function allRecords(args: Record<string, unknown>): Promise<{ records: Array<Record<string, unknown>>; calls: number }> {
    const records: Array<Record<string, unknown>> = [];
    let page = (await callTool(client, 'list_records', { ...args, top: 500 })).structuredContent as Page;
    let calls = 1;
    records.push(...page.records);
    while (page.hasMore) {
      page = (await callTool(client, 'list_records', { table: args.table, cursor: page.nextCursor })).structuredContent as Page;
      records.push(...page.records);
      calls++;
    }
    return { records, calls };
  }

  it('should count active contacts per owner in one call, matching a count by paging', async () => {
    const result = await callTool(client, 'aggregate_records', { table: 'contact', filter: 'statecode eq 0', groupBy: ['ownerid'] });
    const groups = (result.structuredContent as { groups: Group[] }).groups;

    expect(result.isError).toBeFalsy();
    expect(groups.length).toBeGreaterThan(3);
    expect(groups[0]).toEqual({
      ownerid: { id: expect.any(String), table: expect.stringMatching(/^(systemuser|team)$/), name: expect.any(String) },
      count: expect.any(Number),
    });
    const counts = groups.map((g) => g.count as number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(result.text.split('\n').slice(0, 3)).toEqual([
      `${groups.length} groups of contact:`,
      'ownerid | count',
      `${(groups[0].ownerid as Lookup).name} (${(groups[0].ownerid as Lookup).id}) | ${groups[0].count}`,
    ]);

    const { records } = await allRecords({ table: 'contact', filter: 'statecode eq 0', select: ['ownerid'] });
    const byOwner = new Map<string, number>();
    for (const r of records) byOwner.set((r.ownerid as Lookup).id, (byOwner.get((r.ownerid as Lookup).id) ?? 0) + 1);
    expect(new Map(groups.map((g) => [(g.ownerid as Lookup).id, g.count]))).toEqual(byOwner);
  });

  it('should sum the estimated revenue of open opportunities per owner, money formatted', async () => {
    const result = await callTool(client, 'aggregate_records', {
      table: 'opportunities',
      filter: 'statecode eq 0',
      groupBy: ['ownerid'],
      aggregates: [{ op: 'count' }, { op: 'sum', field: 'estimatedvalue', as: 'revenue' }],
    });
    const groups = (result.structuredContent as { groups: Group[] }).groups;

    expect(result.isError).toBeFalsy();
    expect(groups[0]).toEqual({
      ownerid: expect.objectContaining({ id: expect.any(String), name: expect.any(String) }),
      count: expect.any(Number),
      revenue: expect.any(Number),
      'revenue@label': expect.stringMatching(/^\$\d{1,3}(,\d{3})*\.\d{2}$/),
    });
    const owner = groups[0].ownerid as Lookup;
    const { records } = await allRecords({
      table: 'opportunity',
      filter: `statecode eq 0 and _ownerid_value eq ${owner.id}`,
      select: ['estimatedvalue'],
    });
    expect(records).toHaveLength(groups[0].count as number);
    expect(records.reduce((s, r) => s + ((r.estimatedvalue as number) ?? 0), 0)).toBeCloseTo(groups[0].revenue as number, 2);
    expect(result.text.split('\n')[2]).toBe(`${owner.name} (${owner.id}) | ${groups[0].count} | ${groups[0]['revenue@label'] as string}`);
  });

  it('should count the leads created per month this year with FetchXML date grouping', async () => {
    // "This year" of the sample data: the year of the newest lead (the data has a fixed anchor date).
    const newest = (await callTool(client, 'list_records', { table: 'lead', select: 'createdon', orderby: 'createdon desc', top: 1 }))
      .structuredContent as Page;
    const year = new Date(newest.records[0].createdon as string).getUTCFullYear();
    const result = await callTool(client, 'aggregate_records', {
      table: 'lead',
      filter: `createdon ge ${year}-01-01T00:00:00Z`,
      groupBy: ['createdon:month'],
    });
    const groups = (result.structuredContent as { groups: Group[] }).groups;

    expect(result.isError).toBeFalsy();
    expect(groups.length).toBeGreaterThan(2);
    for (const g of groups)
      expect(g).toEqual({ 'createdon:month': expect.stringMatching(new RegExp(`^${year}-(0[1-9]|1[0-2])$`)), count: expect.any(Number) });
    expect(emulator.requestLog.entries().some((e) => e.url.includes('fetchXml=') && e.url.includes('dategrouping'))).toBe(true);

    const month = groups[0]['createdon:month'] as string;
    const [y, m] = month.split('-').map(Number);
    const end = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const { records } = await allRecords({
      table: 'lead',
      filter: `createdon ge ${month}-01T00:00:00Z and createdon lt ${end}-01T00:00:00Z`,
      select: ['leadid'],
    });
    expect(records).toHaveLength(groups[0].count as number);
  });

  it('should count accounts per industry with the choice labels', async () => {
    const result = await callTool(client, 'aggregate_records', { table: 'account', groupBy: ['industrycode'] });
    const groups = (result.structuredContent as { groups: Group[] }).groups;
    const labelled = groups.filter((g) => g.industrycode !== null);

    expect(labelled.length).toBeGreaterThan(3);
    for (const g of labelled)
      expect(g).toEqual({ industrycode: expect.any(Number), 'industrycode@label': expect.any(String), count: expect.any(Number) });
    expect(result.text).toContain(`\n${labelled[0]['industrycode@label'] as string} | ${labelled[0].count}`);
  });

  it('should refuse an unknown groupBy field with did-you-mean, before any request to records', async () => {
    const result = await callTool(client, 'aggregate_records', { table: 'contact', groupBy: ['ownerd'] });

    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'Field "ownerd" in groupBy does not exist on contact. Did you mean "ownerid"? Call get_table_schema with table "contact" (includeReadOnly: true) for every field name.',
    );
    expect(emulator.requestLog.entries().filter((e) => e.url.includes('/contacts'))).toHaveLength(0);
  });

  it('should join through FetchXML with <alias>.<field> columns and page with the cursor', async () => {
    const fetchXml =
      '<fetch><entity name="contact"><attribute name="fullname"/><order attribute="fullname"/>' +
      '<link-entity name="account" from="accountid" to="parentcustomerid" alias="acct" link-type="inner">' +
      '<attribute name="name"/><attribute name="industrycode"/></link-entity></entity></fetch>';
    const page1 = (await callTool(client, 'list_records', { table: 'contact', fetchXml, top: 5 })).structuredContent as Page;
    const page2 = (await callTool(client, 'list_records', { table: 'contact', cursor: page1.nextCursor })).structuredContent as Page;

    expect(page1.records).toHaveLength(5);
    expect(page1.records[0]).toMatchObject({
      contactid: expect.any(String),
      fullname: expect.any(String),
      'acct.name': expect.any(String),
    });
    expect(page1.records.some((r) => typeof r['acct.industrycode@label'] === 'string')).toBe(true);
    expect(page1.hasMore).toBe(true);
    expect(page2.records).toHaveLength(5);
    const names = [...page1.records, ...page2.records].map((r) => r.fullname as string);
    expect(new Set(page2.records.map((r) => r.contactid)).has(page1.records[0].contactid)).toBe(false);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('should send FetchXML too long for a GET URL inside $batch and read its rows', async () => {
    const some = (await callTool(client, 'list_records', { table: 'contact', select: 'fullname', top: 3 })).structuredContent as Page;
    const names = some.records.map((r) => String(r.fullname));
    // Enough long <value>s that the encoded URL passes 32,768 characters while the FetchXML stays within its bounds.
    const filler = Array.from(
      { length: 480 },
      (_, i) => `<value>nobody-with-a-long-made-up-name-${String(i).padStart(12, '0')}</value>`,
    ).join('');
    const values = names.map((n) => `<value>${n.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</value>`).join('');
    const fetchXml =
      `<fetch><entity name="contact"><attribute name="fullname"/><filter>` +
      `<condition attribute="fullname" operator="in">${values}${filler}</condition></filter><order attribute="fullname"/></entity></fetch>`;

    const result = await callTool(client, 'list_records', { table: 'contact', fetchXml });
    const page = result.structuredContent as Page;

    expect({ isError: result.isError ?? false, text: result.isError ? result.text : '' }).toEqual({ isError: false, text: '' });
    // Names can repeat in the sample data: every row matches one of them, and each of them is found.
    expect([...new Set(page.records.map((r) => String(r.fullname)))].sort()).toEqual([...new Set(names)].sort());
    // The emulator answers a direct GET past 32,768 characters with 414, as the service does: this one went as a $batch.
    const log = emulator.requestLog.entries();
    expect(log.filter((e) => e.url.includes('fetchXml=')).map((e) => e.status)).toEqual([]);
    expect(log.filter((e) => e.url.endsWith('$batch')).map((e) => `${e.method} ${e.status}`)).toEqual(['POST 200']);
  });

  it('should refuse bad FetchXML with the fix, sending nothing', async () => {
    const result = await callTool(client, 'list_records', {
      table: 'contact',
      fetchXml: '<fetch><entity name="contact"><attribute name="fulname"/></entity></fetch>',
    });
    const broken = await callTool(client, 'list_records', { table: 'contact', fetchXml: '<fetch><entity name="contact"></fetch>' });

    expect(result.text).toBe(
      'Invalid fetchXml: contact has no attribute "fulname" (in <attribute>). Did you mean "fullname"? Call get_table_schema with table "contact" for the names.',
    );
    expect(broken.text).toBe('fetchXml is not well-formed XML: </fetch> closes <entity> at position 32.');
    expect(emulator.requestLog.entries().filter((e) => e.url.includes('fetchXml='))).toHaveLength(0);
  });

  it('should list the views in the schema and run one by name with its columns', async () => {
    const schema = (await callTool(client, 'get_table_schema', { table: 'opportunity' })).structuredContent as {
      views: Array<{ id: string; name: string; personal?: true; default?: true }>;
    };
    expect(schema.views).toEqual(
      expect.arrayContaining([
        { id: expect.any(String), name: 'Open Opportunities', default: true },
        { id: expect.any(String), name: 'My Big Open Deals', personal: true },
      ]),
    );

    const page = (await callTool(client, 'list_records', { table: 'opportunity', view: 'my big open deals', top: 3 }))
      .structuredContent as Page;
    expect(page.records.length).toBeGreaterThan(0);
    for (const r of page.records) expect(r.estimatedvalue as number).toBeGreaterThanOrEqual(100000);
    const byId = (await callTool(client, 'list_records', { table: 'opportunity', view: schema.views[0].id, top: 2 }))
      .structuredContent as Page;
    expect(byId.records).toHaveLength(2);
  });

  it('should name the views of the table when a view is unknown', async () => {
    const schema = (await callTool(client, 'get_table_schema', { table: 'contact' })).structuredContent as {
      views: Array<{ name: string }>;
    };
    const result = await callTool(client, 'list_records', { table: 'contact', view: 'Activ Contacts' });

    expect(result.text).toBe(
      `There is no view "Activ Contacts" of contact. Did you mean "Active Contacts"? Its views: ${schema.views.map((v) => v.name).join(', ')}. ` +
        'get_table_schema lists them with their ids.',
    );
  });

  it('should return the default view columns without select and every field with "*"', async () => {
    const lean = await callTool(client, 'list_records', { table: 'contact', top: 10 });
    const full = await callTool(client, 'list_records', { table: 'contact', top: 10, select: '*' });
    const one = (lean.structuredContent as Page).records[0];

    expect(lean.text.length).toBeLessThanOrEqual(6000);
    expect(full.text.length).toBeGreaterThan(lean.text.length * 2);
    expect(
      Object.keys(one).every((k) =>
        ['contactid', 'fullname', 'parentcustomerid', 'address1_city', 'telephone1', 'emailaddress1', 'url'].includes(k),
      ),
    ).toBe(true);
    const record = await callTool(client, 'get_record', { table: 'contact', id: one.contactid as string });
    expect(Object.keys((record.structuredContent as { record: object }).record).sort()).toEqual(Object.keys(one).sort());
  });

  it('should teach the lookup filter forms without a round trip', async () => {
    const result = await callTool(client, 'list_records', { table: 'contact', filter: "contains(parentcustomerid,'Contoso')" });

    expect(result.text).toBe(
      '"parentcustomerid" is a lookup (to account, contact): filter on its id with _parentcustomerid_value eq <guid> (unquoted), ' +
        "or on the related record's fields through its navigation property: parentcustomerid_account/name eq 'Contoso' or " +
        "parentcustomerid_contact/fullname eq 'Contoso'. (in filter: contains(parentcustomerid,'Contoso'))",
    );
    expect(emulator.requestLog.entries().filter((e) => e.url.includes('/contacts'))).toHaveLength(0);
    const works = await callTool(client, 'list_records', {
      table: 'contact',
      filter: "startswith(parentcustomerid_account/name,'C')",
      top: 3,
    });
    expect(works.isError).toBeFalsy();
    expect((works.structuredContent as Page).records.length).toBeGreaterThan(0);
  });

  it.each([
    ["statecode eq 'Active'", 'statecode is a choice: compare it with the number, not the label: statecode eq 0 ("Active").'],
    [
      'createdon ge 2026-01-01T00:00:00',
      'The date-time 2026-01-01T00:00:00 in filter has no time zone: write createdon ge 2026-01-01T00:00:00Z (UTC) or with an offset such as 2026-01-01T00:00:00+01:00, unquoted.',
    ],
  ])('should translate the filter %s into the fix', async (filter, message) => {
    const result = await callTool(client, 'list_records', { table: 'contact', filter });

    expect(result.text).toBe(message);
  });

  it("should map the service's own type-mismatch error to the fix where the local check cannot judge", async () => {
    const result = await callTool(client, 'list_records', {
      table: 'contact',
      filter: "parentcustomerid_account/accountid eq '6f1e0b8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b'",
    });

    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /^Dataverse could not apply the filter: .*incompatible types.* GUIDs are not quoted: write _parentcustomerid_value eq 0{8}-/,
    );
  });

  it('should refuse fetchXml or view together with OData options, and page a view with the cursor', async () => {
    const clash = await callTool(client, 'list_records', {
      table: 'contact',
      fetchXml: '<fetch><entity name="contact"/></fetch>',
      filter: 'statecode eq 0',
    });
    const viewClash = await callTool(client, 'list_records', { table: 'contact', view: 'Active Contacts', select: 'fullname' });
    const page1 = (await callTool(client, 'list_records', { table: 'contact', view: 'Active Contacts', top: 4 })).structuredContent as Page;
    const page2 = (await callTool(client, 'list_records', { table: 'contact', cursor: page1.nextCursor })).structuredContent as Page;

    expect(clash.text).toBe(
      'fetchXml cannot be combined with filter: put conditions, columns and order inside the FetchXML, or leave fetchXml out.',
    );
    expect(viewClash.text).toBe(
      'view cannot be combined with select: a view brings its own conditions, columns and order; leave view out to use OData options.',
    );
    expect(page2.records).toHaveLength(4);
    const names = [...page1.records, ...page2.records].map((r) => r.fullname as string);
    expect(new Set(names).size).toBe(8);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});
