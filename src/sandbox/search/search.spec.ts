import { startEmulator } from '../server';
import { call } from '../spec-support';
import { EmulatorHandle } from '../types';
import { HALVORSEN_ACCOUNT_ID, HALVORSEN_PROJECT_ID } from '../data/seed-search';
import { highlight, parseQuery, scoreValue } from './scoring';

interface Hit {
  Id: string;
  EntityName: string;
  Attributes: Record<string, unknown>;
  Highlights: Record<string, string[]>;
  Score: number;
}

describe('emulator Dataverse search', () => {
  let em: EmulatorHandle;
  const search = async (body: Record<string, unknown>) => {
    const r = await call(em, 'searchquery', { method: 'POST', body });
    return { status: r.status, json: r.json, inner: r.json?.response ? JSON.parse(r.json.response) : undefined };
  };

  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(() => em.close());
  afterEach(() => em.controls.setSearchEnabled(true));

  it('should answer searchquery with the response as an escaped JSON string when a word is shared by two tables', async () => {
    const r = await search({ search: 'Halvorsen', count: true });

    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toMatch(/#Microsoft\.Dynamics\.CRM\.searchqueryResponse$/);
    expect(typeof r.json.response).toBe('string');
    expect(r.inner).toMatchObject({ Error: null, Facets: {}, QueryContext: null, Count: 2 });
    expect((r.inner.Value as Hit[]).map((v) => [v.EntityName, v.Id])).toEqual([
      ['account', HALVORSEN_ACCOUNT_ID],
      ['cr8a1_project', HALVORSEN_PROJECT_ID],
    ]);
    expect(r.inner.Value[0].Highlights.name).toEqual(['{crmhit}Halvorsen{/crmhit} Maritime AS']);
    expect(r.inner.Value[0].Attributes['@search.objecttypecode']).toBe(1);
  });

  it('should rank an exact name above a prefix above a word inside the name', () => {
    const q = parseQuery('blue yonder');

    const exact = scoreValue('Blue Yonder', q);
    const prefix = scoreValue('Blue Yonder Airlines', q);
    const inside = scoreValue('The Blue Yonder Airlines', q);
    const words = scoreValue('Yonder and blue', q);

    expect([exact > prefix, prefix > inside, inside > words, words > 0]).toEqual([true, true, true, true]);
    expect(scoreValue('Contoso', q)).toBe(0);
  });

  it('should mark every term with crmhit markers and keep a window around the first hit when the value is long', () => {
    const q = parseQuery('dock crane');
    const long = `${'x'.repeat(300)} the dock crane`;

    expect(highlight('Dry dock crane retrofit', q)).toBe('Dry {crmhit}dock{/crmhit} {crmhit}crane{/crmhit} retrofit');
    expect(highlight(long, q).length).toBeLessThanOrEqual(200);
    expect(highlight(long, q)).toContain('{crmhit}dock{/crmhit}');
  });

  it('should return -1 as Count without count, and page with top and skip when asked', async () => {
    const all = await search({ search: 'Toys', count: true, top: 100 });
    const page = await search({ search: 'Toys', top: 2, skip: 1 });

    expect(all.inner.Count).toBeGreaterThan(3);
    expect(page.inner.Count).toBe(-1);
    expect(page.inner.Value.map((v: Hit) => v.Id)).toEqual(all.inner.Value.slice(1, 3).map((v: Hit) => v.Id));
    const scores = all.inner.Value.map((v: Hit) => v.Score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
  });

  it('should search only the primary name and return only it when an entities item has no columns', async () => {
    const byName = await search({ search: 'halvorsen-maritime', entities: JSON.stringify([{ name: 'account' }]) });
    const byEmail = await search({
      search: 'halvorsen-maritime',
      entities: JSON.stringify([{ Name: 'account', SelectColumns: ['name', 'emailaddress1'], SearchColumns: ['emailaddress1'] }]),
    });

    expect(byName.inner.Value).toEqual([]);
    expect(byEmail.inner.Value).toHaveLength(1);
    expect(Object.keys(byEmail.inner.Value[0].Attributes).sort()).toEqual(['@search.objecttypecode', 'emailaddress1', 'name']);
  });

  it('should apply an entities filter in the OData filter grammar', async () => {
    const open = await search({ search: 'Halvorsen', entities: JSON.stringify([{ name: 'account', filter: 'statecode eq 0' }]) });
    const closed = await search({ search: 'Halvorsen', entities: JSON.stringify([{ name: 'account', filter: 'statecode eq 1' }]) });
    const bad = await search({ search: 'Halvorsen', entities: JSON.stringify([{ name: 'account', filter: 'nosuch eq 1' }]) });

    expect(open.inner.Value).toHaveLength(1);
    expect(closed.inner.Value).toHaveLength(0);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("Could not find a property named 'nosuch'");
  });

  it('should refuse a table that is not indexed, a column that is not searchable, and a search outside 1 to 100 characters', async () => {
    const team = await search({ search: 'x', entities: JSON.stringify([{ name: 'team' }]) });
    const column = await search({ search: 'x', entities: JSON.stringify([{ name: 'account', searchColumns: ['revenue'] }]) });
    const long = await search({ search: 'x'.repeat(101) });
    const empty = await search({ search: ' ' });

    expect(team).toMatchObject({ status: 400, json: { error: { message: "Entity 'team' is not enabled for Dataverse search." } } });
    expect(column.json.error.message).toBe("Column 'revenue' of SearchColumns is not searchable on entity 'account'.");
    expect(long.json.error.message).toBe('The search parameter must be between 1 and 100 characters long.');
    expect(empty.status).toBe(400);
  });

  it('should answer the documented error when search is disabled, and searchstatus notprovisioned', async () => {
    em.controls.setSearchEnabled(false);

    const r = await search({ search: 'Halvorsen' });
    const status = await call(em, 'searchstatus');

    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { code: '0x80048d0b', message: 'Dataverse Search feature is disabled for this organization.' } });
    expect(JSON.parse(status.json.response).value).toMatchObject({ status: 'notprovisioned', entitystatusresults: [] });
  });

  it('should list the indexed tables with their primary name and searchable fields in searchstatus', async () => {
    const r = await call(em, 'searchstatus');
    const value = JSON.parse(r.json.response).value;

    expect(r.json['@odata.context']).toMatch(/#Microsoft\.Dynamics\.CRM\.searchstatusResponse$/);
    expect(value.status).toBe('provisioned');
    expect(value.entitystatusresults.find((e: { entitylogicalname: string }) => e.entitylogicalname === 'cr8a1_project')).toEqual({
      entitylogicalname: 'cr8a1_project',
      objecttypecode: 10421,
      primarynamefield: 'cr8a1_name',
      entitystatus: 'EntitySyncComplete',
      searchableindexedfieldinfomap: {
        cr8a1_name: { indexfieldname: 'cr8a1_name' },
        cr8a1_code: { indexfieldname: 'cr8a1_code' },
        cr8a1_description: { indexfieldname: 'cr8a1_description' },
      },
    });
  });

  it('should start with search disabled when the option says so, and switch it on through the control API', async () => {
    const off = await startEmulator({ searchDisabled: true, controlApi: true });
    try {
      const before = await call(off, 'searchquery', { method: 'POST', body: { search: 'Halvorsen' } });
      const put = await fetch(`${off.url}/_emulator/search`, { method: 'PUT', body: JSON.stringify({ enabled: true }) });
      const after = await call(off, 'searchquery', { method: 'POST', body: { search: 'Halvorsen' } });

      expect([before.status, put.status, after.status]).toEqual([400, 204, 200]);
    } finally {
      await off.close();
    }
  });

  it('should refuse GET on searchquery and POST on searchstatus', async () => {
    const get = await call(em, 'searchquery');
    const post = await call(em, 'searchstatus', { method: 'POST', body: {} });

    expect([get.status, post.status]).toEqual([405, 405]);
  });
});
