import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { callTool, connectHttp } from '../support/mcp-clients';
import { SpawnedServer, spawnServerFor } from '../support/server-process';

type Page = { records: Array<Record<string, unknown>>; hasMore: boolean; nextCursor?: string };

/** Compact list_records/get_record answers through the real MCP SDK client: short cursors with a TTL. */
describe('compact results end to end', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    server = await spawnServerFor(emulator, { env: { CURSOR_TTL_SECONDS: '1' } });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('should give a short cursor that pages, then expires after CURSOR_TTL_SECONDS', async () => {
    const first = (await callTool(client, 'list_records', { table: 'contact', select: 'fullname', top: 2 })).structuredContent as Page;
    const second = await callTool(client, 'list_records', { table: 'contact', cursor: first.nextCursor });
    const third = (second.structuredContent as Page).nextCursor!;
    await new Promise((r) => setTimeout(r, 1300));
    emulator.requestLog.clear();
    const late = await callTool(client, 'list_records', { table: 'contact', cursor: third });

    expect(first.nextCursor!.length).toBeLessThanOrEqual(128);
    expect(second.isError).toBeFalsy();
    expect((second.structuredContent as Page).records.map((r) => r.contactid)).not.toContain(first.records[0].contactid);
    expect(late.isError).toBe(true);
    expect(late.text).toBe('This page cursor expired (or is not yours); run the query again without cursor.');
    expect(emulator.requestLog.entries().filter((e) => e.url.includes('/contacts'))).toHaveLength(0);
  });
});
