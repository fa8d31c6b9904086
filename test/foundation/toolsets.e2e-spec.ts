import { connectStdio } from '../support/mcp-clients';
import { runToExit } from '../support/server-process';

/** DATAVERSE_TOOLSETS picks the listed tools; read-only and allow-delete still hide what they hide (README "Toolsets"). */
const SETS: Record<string, string[]> = {
  records: ['get_my_identity', 'list_tables', 'get_table_schema', 'refresh_schema_cache', 'list_records', 'get_record'],
  query: ['aggregate_records', 'search_records'],
  write: ['create_record', 'update_record', 'create_records', 'update_records', 'associate_records', 'disassociate_records'],
  delete: ['delete_record', 'confirm_delete_record'],
  history: ['get_record_history'],
};
const ALWAYS = ['sign_in', 'sign_out'];
const WRITING = [...SETS.write, ...SETS.delete];

async function listed(env: Record<string, string>): Promise<{ tools: string[]; instructions: string }> {
  const { client } = await connectStdio({ MCP_TRANSPORT: 'stdio', LOG_LEVEL: 'silent', ...env }, ['--sandbox']);
  try {
    const { tools } = await client.listTools();
    return { tools: tools.map((t) => t.name).sort(), instructions: client.getInstructions() ?? '' };
  } finally {
    await client.close();
  }
}

const sorted = (names: string[]) => [...names].sort();

describe('toolsets', () => {
  it.each(Object.keys(SETS))('should list exactly the %s tools and sign_in/sign_out when only that set is named', async (set) => {
    const { tools } = await listed({ DATAVERSE_TOOLSETS: set });
    expect(tools).toEqual(sorted([...ALWAYS, ...SETS[set]]));
  });

  it('should list every tool by default and the union of the named sets otherwise', async () => {
    expect((await listed({})).tools).toEqual(sorted([...ALWAYS, ...Object.values(SETS).flat()]));
    expect((await listed({ DATAVERSE_TOOLSETS: 'records, Query' })).tools).toEqual(sorted([...ALWAYS, ...SETS.records, ...SETS.query]));
  });

  it('should list no write, delete, associate or disassociate tool when read-only, whatever the toolsets say', async () => {
    for (const toolsets of ['all', 'write,delete', 'records,write,delete,history']) {
      const { tools, instructions } = await listed({ DATAVERSE_TOOLSETS: toolsets, DATAVERSE_READ_ONLY: 'true' });
      expect({ toolsets, writing: tools.filter((t) => WRITING.includes(t)) }).toEqual({ toolsets, writing: [] });
      expect(instructions).not.toMatch(/create_record|update_record|delete_record|Values in data/);
    }
    expect((await listed({ DATAVERSE_TOOLSETS: 'write,delete', DATAVERSE_READ_ONLY: 'true' })).tools).toEqual(sorted(ALWAYS));
  });

  it('should hide the delete tools when DATAVERSE_ALLOW_DELETE is false even if delete is named', async () => {
    const { tools, instructions } = await listed({ DATAVERSE_TOOLSETS: 'write,delete', DATAVERSE_ALLOW_DELETE: 'false' });
    expect(tools).toEqual(sorted([...ALWAYS, ...SETS.write]));
    expect(instructions).not.toContain('confirm_delete_record');
  });

  it('should stop start-up with the valid names when a toolset name is unknown', async () => {
    const { code, stdout, stderr } = await runToExit({ DATAVERSE_TOOLSETS: 'records,reads' }, ['--sandbox']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('DATAVERSE_TOOLSETS must be a comma-separated list of all, records, query, write, delete, history');
    expect(stderr).toContain('unknown: "reads"');
  });
});
