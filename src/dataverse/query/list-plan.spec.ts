import type { MetadataService } from '../metadata/metadata.service';
import { chooseColumns, isStar, odataQuery, packXml, unpackXml } from './list-plan';
import { CONTACT } from './testing/schemas.fixture';
import type { ViewsService } from './views.service';
import { parseXml, serializeXml } from './xml';

const TABLE = { logicalName: 'contact', entitySetName: 'contacts', primaryIdAttribute: 'contactid', primaryNameAttribute: 'fullname' };
const metadata = {
  getSchema: async () => CONTACT,
  schemaOf: async () => CONTACT,
  listTables: async () => [],
} as unknown as MetadataService;
const viewsWith = (cells: string[] | undefined) => ({ defaultColumns: async () => cells }) as unknown as ViewsService;

describe('list_records columns and query', () => {
  it('should read "*" in both forms as every field', () => {
    expect([isStar('*'), isStar(['*']), isStar(' * '), isStar('*,fullname'), isStar(undefined)]).toEqual([true, true, true, false, false]);
  });

  it("should use the default view's cells plus id and name, lookups as value properties, unknown cells dropped", async () => {
    const columns = await chooseColumns(TABLE, undefined, metadata, viewsWith(['parentcustomerid', 'emailaddress1', 'gone_field']));

    expect(columns).toEqual({ kind: 'view', fields: ['contactid', 'fullname', '_parentcustomerid_value', 'emailaddress1'] });
    expect(await chooseColumns(TABLE, undefined, metadata, viewsWith(undefined))).toEqual({ kind: 'all' });
    expect(await chooseColumns(TABLE, ['*'], metadata, viewsWith(['fullname']))).toEqual({ kind: 'all' });
  });

  it('should build the OData query from checked names', async () => {
    const query = await odataQuery(
      TABLE,
      { filter: 'statecode eq 0', orderby: 'parentcustomerid desc' },
      { kind: 'given', fields: ['fullname'] },
      metadata,
    );

    expect(query).toBe(
      `?$select=fullname&$filter=${encodeURIComponent('statecode eq 0')}&$orderby=${encodeURIComponent('_parentcustomerid_value desc')}`,
    );
  });

  it('should carry a fetch through the cursor unchanged', () => {
    const fetch = parseXml('<fetch><entity name="contact"><attribute name="fullname"/></entity></fetch>', {
      maxLength: 1000,
      maxDepth: 5,
      maxElements: 10,
    });

    expect(serializeXml(unpackXml(packXml(fetch)))).toBe(serializeXml(fetch));
  });
});
