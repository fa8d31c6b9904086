import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MCP_TOOL_METADATA_KEY } from '@rekog/mcp-nest/dist/mcp';
import { startEmulator, EmulatorHandle } from '../../sandbox';
import { IdentityService } from '../../dataverse/identity/identity.service';
import { MetadataService } from '../../dataverse/metadata/metadata.service';
import { RecordsService } from '../../dataverse/records/records.service';
import { ViewsService } from '../../dataverse/query/views.service';
import { startReadPath, ReadPathFixture } from '../../dataverse/testing/read-path.fixture';
import { IdentityTools } from './identity.tools';
import { MetadataTools } from './metadata.tools';
import { RecordsTools } from './records.tools';
import { READ_TOOLS } from '.';

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

describe('read tools', () => {
  let emulator: EmulatorHandle;
  let f: ReadPathFixture;
  let metadataTools: MetadataTools;
  let recordsTools: RecordsTools;

  beforeAll(async () => {
    emulator = await startEmulator();
    f = await startReadPath({ emulator });
    metadataTools = new MetadataTools(f.get(MetadataService), f.get(ViewsService));
    recordsTools = new RecordsTools(f.get(RecordsService));
  });
  afterAll(async () => {
    await f.close();
    await emulator.close();
  });

  it('should declare every read tool read-only except refresh_schema_cache, with every hint set', () => {
    const tools = READ_TOOLS.flatMap((cls) =>
      Object.getOwnPropertyNames(cls.prototype)
        .map((m) => Reflect.getMetadata(MCP_TOOL_METADATA_KEY, (cls.prototype as unknown as Record<string, unknown>)[m] as object))
        .filter(Boolean),
    ) as Array<{ name: string; annotations: Record<string, unknown>; parameters: { shape: Record<string, { description?: string }> } }>;

    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_my_identity',
      'get_record',
      'get_record_history',
      'get_table_schema',
      'list_records',
      'list_tables',
      'refresh_schema_cache',
    ]);
    for (const t of tools) {
      expect(Object.keys(t.annotations).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint', 'title']);
      expect(t.annotations.readOnlyHint).toBe(t.name !== 'refresh_schema_cache');
      expect(t.annotations.destructiveHint).toBe(false);
      for (const [name, param] of Object.entries(t.parameters.shape))
        expect({ name, description: param.description }).toEqual({ name, description: expect.any(String) });
    }
  });

  it('should keep get_table_schema contact at most 75 characters of output per field', async () => {
    const result = await metadataTools.getTableSchema({ table: 'contact' });
    const data = result.structuredContent as { fields: unknown[] };

    expect(data.fields.length).toBeGreaterThan(80);
    expect(text(result).length / data.fields.length).toBeLessThanOrEqual(75);
  });

  it('should encode choices, text lengths and lookups compactly', async () => {
    const data = (await metadataTools.getTableSchema({ table: 'contact' })).structuredContent as {
      fields: Array<Record<string, unknown>>;
      entitySets: Record<string, string>;
    };
    const field = (name: string) => data.fields.find((x) => x.name === name);

    expect(field('contactid')).toEqual({ name: 'contactid', type: 'guid', createOnly: true });
    expect(field('firstname')).toEqual({ name: 'firstname', type: 'string(50)', required: 'recommended' });
    expect(field('jobtitle')).toEqual({ name: 'jobtitle', type: 'string(100)' });
    expect(field('lastname')).toEqual({ name: 'lastname', type: 'string(50)', required: 'yes' });
    expect(field('preferredcontactmethodcode')).toEqual({
      name: 'preferredcontactmethodcode',
      type: 'choice',
      options: '1=Any|2=Email|3=Phone|4=Fax|5=Mail',
    });
    expect(field('parentcustomerid')).toEqual({
      name: 'parentcustomerid',
      type: 'customer',
      label: 'Company Name',
      to: { account: 'parentcustomerid_account', contact: 'parentcustomerid_contact' },
    });
    expect(data.entitySets).toMatchObject({ account: 'accounts', contact: 'contacts' });
  });

  it('should explain activity parties for activity tables', async () => {
    const result = await metadataTools.getTableSchema({ table: 'appointments' });

    expect(result.structuredContent).toMatchObject({ activityParties: expect.stringContaining('appointment_activity_parties') });
  });

  it('should leave read-only fields out unless asked', async () => {
    const writable = (await metadataTools.getTableSchema({ table: 'contact' })).structuredContent as {
      fields: Array<{ name: string }>;
      readOnlyOmitted: number;
    };
    const all = (await metadataTools.getTableSchema({ table: 'contact', includeReadOnly: true })).structuredContent as {
      fields: unknown[];
    };

    expect(writable.fields.some((x) => x.name === 'createdon')).toBe(false);
    expect(writable.readOnlyOmitted).toBe(all.fields.length - writable.fields.length);
  });

  it('should filter and limit list_tables', async () => {
    const result = await metadataTools.listTables({ filter: 'ACC', limit: 1 });

    expect(result.structuredContent).toEqual({
      tables: [
        {
          logicalName: 'account',
          displayName: 'Account',
          entitySetName: 'accounts',
          primaryNameAttribute: 'name',
          primaryIdAttribute: 'accountid',
        },
      ],
      total: 1,
      truncated: false,
    });
  });

  it('should say plainly when no record matched', async () => {
    const result = await recordsTools.listRecords({ table: 'contact', filter: "fullname eq 'Nobody'" });

    expect(text(result)).toMatch(/^No contact records matched the filter\./);
    expect(result.structuredContent).toMatchObject({ records: [], hasMore: false });
  });

  it('should summarise identity with the time zone', async () => {
    const result = await new IdentityTools(f.get(IdentityService)).getMyIdentity();

    expect(text(result)).toMatch(/^Signed in as Sandbox User; time zone Europe\/Berlin \(UTC\+0[12]:00, local time /);
  });
});
