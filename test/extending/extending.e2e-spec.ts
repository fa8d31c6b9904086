import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startEmulator } from '../../src/sandbox';
import type { EmulatorHandle } from '../../src/sandbox';
import { callTool, newClient } from '../support/mcp-clients';
import { serverEnv } from '../support/server-process';

/** README "Extending": an extra Nest module's tool sits beside the built-in ones, with the audit trail and the sign-in guard. */
describe('extending the server with your own Nest module', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function connect(env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['-r', 'ts-node/register/transpile-only', join(__dirname, 'extension-launcher.ts')],
      env: serverEnv(env) as Record<string, string>,
      stderr: 'pipe',
      cwd: join(__dirname, '..', '..'),
    });
    let err = '';
    transport.stderr?.on('data', (d) => (err += d));
    const client = newClient();
    await client.connect(transport);
    return { client, stderr: () => err };
  }

  it('should list and run the extra tool with the built-in services when its module is passed to startServer', async () => {
    const { client, stderr } = await connect({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken() });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['count_active_accounts', 'list_records', 'sign_in']));

      const result = await callTool(client, 'count_active_accounts');
      expect(result.isError).toBeFalsy();
      const expected = emulator.store.count('accounts', (r) => r.statecode === 0);
      expect(result.structuredContent).toEqual({ activeAccounts: expected });
      await new Promise((r) => setTimeout(r, 200));
      expect(stderr()).toMatch(/"audit":true,"tool":"count_active_accounts","category":"read"/);
    } finally {
      await client.close();
    }
  });

  it('should answer with the sign-in message when the extra tool is called without a usable token', async () => {
    emulator.requestLog.clear();
    const { client } = await connect({
      DATAVERSE_URL: emulator.url,
      CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      TOKEN_CACHE_DIR: mkdtempSync(join(tmpdir(), 'extending-')),
    });
    try {
      const result = await callTool(client, 'count_active_accounts');
      expect(result.isError).toBe(true);
      expect(result.text).toContain('Not signed in to Dataverse. Call the sign_in tool');
      expect(emulator.requestLog.entries().filter((e) => e.url.includes('accounts'))).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});
