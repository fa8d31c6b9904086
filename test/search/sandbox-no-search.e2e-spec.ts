import { callTool, connectStdio } from '../support/mcp-clients';
import { freePort, runToExit } from '../support/server-process';

/** `--sandbox --no-search`: the embedded emulator plays an environment with Dataverse search turned off. */
describe('--sandbox --no-search', () => {
  it('should answer search_records with the primary-name fallback after sign-in', async () => {
    const { client } = await connectStdio({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox', '--no-search']);
    try {
      const signIn = await callTool(client, 'sign_in');
      // A refused sign-in (e.g. the redirect port taken meanwhile) shows its own text instead of a TypeError.
      expect({ isError: signIn.isError ?? false, text: JSON.stringify(signIn.content).slice(0, 300) }).toEqual({
        isError: false,
        text: expect.any(String),
      });
      const page = await fetch((signIn.structuredContent as { url: string }).url, { redirect: 'follow' });
      expect(await page.text()).toContain('Authentication complete');

      const r = await callTool(client, 'search_records', { query: 'Halvorsen', tables: ['cr8a1_project'] });

      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toMatchObject({
        results: [{ table: 'cr8a1_project', name: 'Halvorsen dry dock crane retrofit' }],
        fallback: { tables: ['cr8a1_project'] },
      });
      expect(r.text).toContain('Dataverse search is off in this environment: this is a fallback');
    } finally {
      await client.close();
    }
  });

  it('should refuse --no-search without --sandbox', async () => {
    const run = await runToExit({ DATAVERSE_URL: 'https://contoso.crm.dynamics.com' }, ['--no-search']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--no-search only applies together with --sandbox');
  });
});
