import { connectStdio } from '../support/mcp-clients';

/**
 * The tool surface is the public API (DESIGN §1): a change to any tool's name, title, description,
 * schema or annotations shows up in review as a snapshot diff. Update deliberately with `npx jest -u`.
 */
describe('tools/list', () => {
  it('should match the reviewed snapshot when all tools are enabled', async () => {
    const { client } = await connectStdio({ DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'snapshot-token' });
    try {
      const { tools } = await client.listTools();
      expect(tools).toMatchSnapshot();
    } finally {
      await client.close();
    }
  });

  it('should set every annotation hint explicitly and mark reads read-only and deletes destructive', async () => {
    const { client } = await connectStdio({ DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'snapshot-token' });
    try {
      const { tools } = await client.listTools();
      for (const tool of tools) {
        expect(tool.annotations).toEqual(
          expect.objectContaining({
            title: expect.any(String),
            readOnlyHint: expect.any(Boolean),
            destructiveHint: expect.any(Boolean),
            idempotentHint: expect.any(Boolean),
            openWorldHint: expect.any(Boolean),
          }),
        );
        expect(tool.description?.length ?? 0).toBeGreaterThan(40);
        const props = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
        for (const [name, schema] of Object.entries(props)) {
          expect({ tool: tool.name, name, described: Boolean(schema.description) }).toEqual({ tool: tool.name, name, described: true });
        }
        if (tool.name.startsWith('get_') || tool.name.startsWith('list_')) expect(tool.annotations?.readOnlyHint).toBe(true);
        if (tool.name.includes('delete')) expect(tool.annotations?.destructiveHint).toBe(true);
      }
    } finally {
      await client.close();
    }
  });
});
