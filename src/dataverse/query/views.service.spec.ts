import type { AppConfig } from '../../config/app-config';
import type { CacheService } from '../../cache/cache.service';
import { ToolError } from '../../common/tool-error';
import type { DataverseClient } from '../client/dataverse.client';
import { layoutCells, PERSONAL_VIEWS_TTL_SECONDS, ViewsService } from './views.service';

const TABLE = { logicalName: 'contact', entitySetName: 'contacts', primaryIdAttribute: 'contactid' };
const LAYOUT =
  '<grid name="resultset" object="2" jump="fullname"><row name="result" id="contactid"><cell name="fullname" width="300"/>' +
  '<cell name="parentcustomerid" width="150"/><cell name="acct.name" width="100"/><cell name="emailaddress1" width="200"/></row></grid>';

function setup() {
  const ttls: Array<[string, number]> = [];
  const cache = {
    getOrLoad: async (key: string, ttl: number, load: () => Promise<unknown>) => {
      ttls.push([key, ttl]);
      return load();
    },
  } as unknown as CacheService;
  const get = jest.fn(async (set: string) => ({
    status: 200,
    headers: {},
    body: {
      value:
        set === 'savedqueries'
          ? [
              {
                savedqueryid: 'A1B2C3D4-0000-0000-0000-000000000001',
                name: 'Active Contacts',
                isdefault: true,
                fetchxml: '<fetch/>',
                layoutxml: LAYOUT,
              },
              { savedqueryid: 'a1b2c3d4-0000-0000-0000-000000000002', name: 'Inactive Contacts', isdefault: false, fetchxml: '<fetch/>' },
            ]
          : [{ userqueryid: 'a1b2c3d4-0000-0000-0000-000000000003', name: 'My Chicago Contacts', fetchxml: '<fetch/>' }],
    },
  }));
  const dv = { envHost: 'org.crm.dynamics.com', currentAccount: async () => ({ userKey: 'u1' }), get } as unknown as DataverseClient;
  const config = { cacheTtl: { schemaSeconds: 3600 } } as AppConfig;
  return { views: new ViewsService(dv, cache, config), ttls, get };
}

describe('ViewsService', () => {
  it('should list public and personal views, the personal ones cached per user for a shorter time', async () => {
    const { views, ttls, get } = setup();

    const list = await views.list(TABLE);

    expect(list.map(({ id, name, personal, default: d }) => ({ id, name, personal, default: d }))).toEqual([
      { id: 'a1b2c3d4-0000-0000-0000-000000000001', name: 'Active Contacts', personal: undefined, default: true },
      { id: 'a1b2c3d4-0000-0000-0000-000000000002', name: 'Inactive Contacts', personal: undefined, default: undefined },
      { id: 'a1b2c3d4-0000-0000-0000-000000000003', name: 'My Chicago Contacts', personal: true, default: undefined },
    ]);
    expect(ttls).toEqual([
      ['mcp:org.crm.dynamics.com:u1:schema:contact:savedqueries', 3600],
      ['mcp:org.crm.dynamics.com:u1:schema:contact:userqueries', PERSONAL_VIEWS_TTL_SECONDS],
    ]);
    expect(get).toHaveBeenCalledWith('savedqueries', {
      query: expect.objectContaining({ $filter: "returnedtypecode eq 'contact' and statecode eq 0 and querytype eq 0" }),
    });
  });

  it('should find a view by id or by name in any case, and suggest names otherwise', async () => {
    const { views } = setup();

    expect((await views.resolve(TABLE, '{A1B2C3D4-0000-0000-0000-000000000002}')).name).toBe('Inactive Contacts');
    expect((await views.resolve(TABLE, 'my chicago CONTACTS')).personal).toBe(true);
    const error = await views.resolve(TABLE, 'Active Contact').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toBe(
      'There is no view "Active Contact" of contact. Did you mean "Active Contacts"? ' +
        'Its views: Active Contacts, Inactive Contacts, My Chicago Contacts. get_table_schema lists them with their ids.',
    );
  });

  it("should take the default view's own-table cells as default columns", async () => {
    const { views } = setup();

    expect(await views.defaultColumns(TABLE)).toEqual(['fullname', 'parentcustomerid', 'emailaddress1']);
    expect(layoutCells(LAYOUT)).toEqual(['fullname', 'parentcustomerid', 'acct.name', 'emailaddress1']);
  });

  it('should fall back to every field when the views cannot be read for a moment, and leave them out of a schema', async () => {
    const { views, get } = setup();
    get.mockRejectedValue(new ToolError('unavailable', 'Dataverse is temporarily unavailable', { dataverseKind: 'unavailable' }));

    expect(await views.defaultColumns(TABLE)).toBeUndefined();
    expect(await views.listOrNone(TABLE)).toEqual([]);
  });

  it('should not hide a refusal that is not transient', async () => {
    const { views, get } = setup();
    get.mockRejectedValue(new ToolError('sign_in_required', 'sign in', { dataverseKind: 'unauthorized' }));

    await expect(views.defaultColumns(TABLE)).rejects.toThrow('sign in');
  });
});
