import { callTool, connectHttp, connectStdio } from '../support/mcp-clients';
import { freePort, SpawnedServer, spawnHttpServer } from '../support/server-process';

/** Plays the user's browser: opens the sign-in URL and follows the redirect to the local callback. */
async function openInBrowser(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'follow' });
  expect(res.status).toBe(200);
  return res.text();
}

describe('--sandbox (the embedded default)', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnHttpServer({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('should print the claude mcp add lines when it starts with HTTP transports', () => {
    expect(server.stderr()).toContain(`claude mcp add --transport sse dataverse-sandbox ${server.url}/sse`);
    expect(server.stderr()).toContain(`claude mcp add --transport http dataverse-sandbox ${server.url}/mcp`);
    expect(server.stdout()).toBe('');
  });

  it('should ask for sign-in, then answer as Sandbox User after the browser completes the redirect', async () => {
    const client = await connectHttp(server.url);
    try {
      const before = await callTool(client, 'get_my_identity');
      expect(before.isError).toBe(true);
      expect(before.text).toContain('sign_in');

      const signIn = await callTool(client, 'sign_in');
      expect(signIn.structuredContent).toMatchObject({ status: 'pending' });
      const url = (signIn.structuredContent as { url: string }).url;
      expect((await callTool(client, 'sign_in')).structuredContent).toMatchObject({ status: 'pending', url });

      expect(await openInBrowser(url)).toContain('Authentication complete');

      const identity = await callTool(client, 'get_my_identity');
      expect(identity.isError).toBeFalsy();
      expect(identity.structuredContent).toMatchObject({ fullName: 'Sandbox User' });
      expect((await callTool(client, 'sign_in')).structuredContent).toMatchObject({ status: 'signed_in' });

      const contacts = await callTool(client, 'list_records', { table: 'contacts', top: 5, select: ['fullname'] });
      expect(contacts.isError).toBeFalsy();
      expect((contacts.structuredContent as { records: unknown[] }).records).toHaveLength(5);
    } finally {
      await client.close();
    }
  });
});

describe('--sandbox over stdio (Claude Desktop)', () => {
  it('should serve tools/list and the sign-in URL when Claude Desktop starts it', async () => {
    const { client } = await connectStdio({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['sign_in', 'get_my_identity', 'list_records']));
      const signIn = await callTool(client, 'sign_in');
      expect((signIn.structuredContent as { url: string }).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/oauth2\/authorize\?/);
    } finally {
      await client.close();
    }
  });
});
