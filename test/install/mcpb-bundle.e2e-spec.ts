import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { callTool, newClient } from '../support/mcp-clients';
import { freePort } from '../support/server-process';

const ROOT = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const BUNDLE = join(ROOT, `dataverse-mcp-${VERSION}.mcpb`);
const MCPB_CLI = join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');

interface Manifest {
  version: string;
  server: { entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  tools: Array<{ name: string }>;
  user_config: Record<string, { required?: boolean; default?: unknown }>;
  icon: string;
}

/** `npm run pack:mcpb` unless the bundle beside the repository already holds the current build. */
function currentBundle(): string {
  const stamp = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  if (!existsSync(BUNDLE) || stamp(`${BUNDLE}.stamp`) !== stamp(join(ROOT, 'dist', '.build-stamp'))) {
    const pack = spawnSync(process.execPath, [join(ROOT, 'scripts', 'mcpb', 'pack.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`pack:mcpb failed:\n${pack.stderr}`);
  }
  return BUNDLE;
}

/** The server command Claude Desktop derives from the manifest, by the mcpb library's own code. */
function hostConfig(dir: string, userConfig: Record<string, unknown>): { command: string; args: string[]; env: Record<string, string> } {
  const script = `
    import { getMcpConfigForManifest } from '@anthropic-ai/mcpb';
    import { readFileSync } from 'node:fs';
    const [dir, user] = process.argv.slice(1);
    const manifest = JSON.parse(readFileSync(dir + '/manifest.json', 'utf8'));
    const config = await getMcpConfigForManifest({ manifest, extensionPath: dir, systemDirs: {}, userConfig: JSON.parse(user), pathSeparator: '/' });
    process.stdout.write(JSON.stringify(config ?? null));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script, dir, JSON.stringify(userConfig)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as { command: string; args: string[]; env: Record<string, string> };
}

describe('the Claude Desktop extension (npm run pack:mcpb)', () => {
  let dir: string;
  let manifest: Manifest;
  beforeAll(() => {
    const bundle = currentBundle();
    dir = mkdtempSync(join(tmpdir(), 'dvmcp-mcpb-'));
    const unpack = spawnSync(process.execPath, [MCPB_CLI, 'unpack', bundle, dir], { encoding: 'utf8' });
    expect(unpack.status).toBe(0);
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  }, 240_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should hold the manifest, the icon, the built server and production packages only', () => {
    expect(manifest.version).toBe(VERSION);
    expect(existsSync(join(dir, manifest.server.entry_point))).toBe(true);
    expect(readFileSync(join(dir, manifest.icon)).subarray(1, 4).toString()).toBe('PNG');
    const modules = readdirSync(join(dir, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['@nestjs', '@modelcontextprotocol', 'pino']));
    for (const dev of ['jest', 'typescript', 'esbuild', 'playwright-core', '@anthropic-ai', 'ts-jest', 'eslint'])
      expect(modules).not.toContain(dev);
    expect(readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('should ask for DATAVERSE_URL (required), CLIENT_ID, TENANT_ID, read-only, the table scope and the toolsets, and pass them as variables', () => {
    expect(Object.keys(manifest.user_config).sort()).toEqual([
      'client_id',
      'dataverse_url',
      'read_only',
      'tables',
      'tenant_id',
      'toolsets',
    ]);
    expect(manifest.user_config.dataverse_url.required).toBe(true);
    const config = hostConfig(dir, {
      dataverse_url: 'https://contoso.crm4.dynamics.com',
      client_id: 'app-id',
      read_only: true,
      tables: 'account,contact',
      toolsets: 'records,query',
    });
    expect(config.env).toEqual({
      DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
      CLIENT_ID: 'app-id',
      TENANT_ID: 'common',
      DATAVERSE_READ_ONLY: 'true',
      DATAVERSE_TABLES: 'account,contact',
      DATAVERSE_TOOLSETS: 'records,query',
    });
    expect(config.args).toEqual([join(dir, 'dist', 'main.js')]);
  });

  it('should run from the unpacked folder over stdio on the sandbox, list the tools the manifest names and answer a call', async () => {
    const config = hostConfig(dir, { dataverse_url: 'sandbox' });
    const transport = new StdioClientTransport({
      command: config.command === 'node' ? process.execPath : config.command,
      args: config.args,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'warn',
        AUTH_REDIRECT_PORT: String(await freePort()),
        ...config.env,
      },
      cwd: tmpdir(),
      stderr: 'pipe',
    });
    const client = newClient();
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(manifest.tools.map((t) => t.name).sort());

      // Sign in as the sandbox asks (the browser step played by fetch), then one real call.
      const signIn = await callTool(client, 'sign_in');
      const page = await fetch((signIn.structuredContent as { url: string }).url, { redirect: 'follow' });
      expect(page.status).toBe(200);
      const identity = await callTool(client, 'get_my_identity');
      expect(identity.isError).toBeFalsy();
      expect(identity.structuredContent).toMatchObject({ fullName: 'Sandbox User' });
    } finally {
      await client.close();
    }
  });
});
