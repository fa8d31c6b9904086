import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { tokenCacheFileName } from '../../src/auth';
import { connectHttp } from '../support/mcp-clients';
import { freePort, spawnHttpServer, SpawnedServer } from '../support/server-process';
import { describeOutcome, summary, tryCall } from './reliability-support';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';

/**
 * The interactive-mode token cache file (TOKEN_CACHE_DIR) corrupted while the server runs. End to end, the server
 * reaches the file whenever a data tool looks for a signed-in account; a real sign-in needs Entra, so what is proven
 * here is the failure path: a corrupt file is set aside, the tool says to sign in, and the server keeps answering.
 */
describe('reliability: token cache file corrupted while running', () => {
  let emulator: EmulatorHandle;
  let server: SpawnedServer;
  let client: Client;
  let dir: string;
  let file: string;
  const figures = { corruptions: 0, crashes: 0, setAside: 0 };

  beforeAll(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'dvmcp-cache-'));
    file = join(dir, tokenCacheFileName(emulator.url, CLIENT_ID));
    server = await spawnHttpServer({
      MCP_TRANSPORT: 'http',
      DATAVERSE_URL: emulator.url,
      CLIENT_ID,
      TOKEN_CACHE_DIR: dir,
      AUTH_REDIRECT_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    client = await connectHttp(server.url);
  });
  afterAll(async () => {
    await client?.close();
    if (server && server.proc.exitCode !== null) figures.crashes++;
    await server?.stop();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
    summary('token cache corruption survived', {
      'corrupt files written': figures.corruptions,
      'set aside': figures.setAside,
      crashes: figures.crashes,
      'records lost': 0,
    });
  });

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37, 0x0a, 0x7b])],
    ['truncated JSON', Buffer.from('{"Account":{"x":{"home_account_id":"a')],
    ['JSON of the wrong shape', Buffer.from('[1,2,3]')],
    ['an empty file', Buffer.alloc(0)],
  ])('should answer "sign in" and keep running when the cache file becomes %s', async (_label, content) => {
    writeFileSync(file, content, { mode: 0o600 });
    figures.corruptions++;

    const identity = await tryCall(client, 'get_my_identity', {});
    const records = await tryCall(client, 'list_records', { table: 'contacts', top: 1 });
    const health = await fetch(`${server.url}/healthz`);

    expect(describeOutcome(identity)).toMatch(/^tool-error: .*sign_in/);
    expect(describeOutcome(records)).toMatch(/^tool-error: .*sign_in/);
    expect(health.status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
    expect(emulator.requestLog.entries()).toHaveLength(0); // no token, no Dataverse call
  });

  it('should have set every corrupt file aside and said so in the log', () => {
    const aside = readdirSync(dir).filter((f) => f.includes('.corrupt-'));
    figures.setAside = aside.length;

    expect(aside.length).toBeGreaterThanOrEqual(3); // the empty file may count as "no cache" rather than corrupt
    expect(server.stderr()).toMatch(/Token cache file .* is corrupt/);
  });
});
