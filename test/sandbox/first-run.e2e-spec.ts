import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runToExit, SpawnedServer, spawnHttpServer } from '../support/server-process';

const ROOT = join(__dirname, '..', '..');
const STAMP = join(ROOT, 'scripts', 'build-stamp.mjs');

function stamp(mode: string, root?: string): number | null {
  return spawnSync(process.execPath, [STAMP, mode, ...(root ? ['--root', root] : [])], { encoding: 'utf8' }).status;
}

describe('npm run sandbox: the build freshness check', () => {
  let tree: string;
  beforeEach(() => {
    tree = mkdtempSync(join(tmpdir(), 'dvmcp-stamp-'));
    mkdirSync(join(tree, 'src', 'tools'), { recursive: true });
    mkdirSync(join(tree, 'dist'));
    writeFileSync(join(tree, 'package.json'), '{"name":"x"}');
    writeFileSync(join(tree, 'src', 'tools', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(tree, 'src', 'tools', 'a.spec.ts'), 'test\n');
    for (const f of ['main.js', 'cli.js']) writeFileSync(join(tree, 'dist', f), '');
  });
  afterEach(() => rmSync(tree, { recursive: true, force: true }));

  it('should say dist/ is current for the build this test run uses', () => {
    expect(stamp('check')).toBe(0);
  });

  it('should say dist/ is stale when there is no stamp, and current once the build wrote it', () => {
    expect(stamp('check', tree)).toBe(1);
    expect(stamp('write', tree)).toBe(0);
    expect(stamp('check', tree)).toBe(0);
  });

  it('should say dist/ is stale when a source file or package.json changes, and not when only a spec changes', () => {
    stamp('write', tree);
    writeFileSync(join(tree, 'src', 'tools', 'a.spec.ts'), 'test changed\n');
    expect(stamp('check', tree)).toBe(0);
    writeFileSync(join(tree, 'src', 'tools', 'a.ts'), 'export const a = 2;\n');
    expect(stamp('check', tree)).toBe(1);
    stamp('write', tree);
    writeFileSync(join(tree, 'package.json'), '{"name":"y"}');
    expect(stamp('check', tree)).toBe(1);
  });

  it('should say dist/ is stale when a new source file appears or a built file is missing', () => {
    stamp('write', tree);
    cpSync(join(tree, 'src', 'tools', 'a.ts'), join(tree, 'src', 'tools', 'b.ts'));
    expect(stamp('check', tree)).toBe(1);
    stamp('write', tree);
    rmSync(join(tree, 'dist', 'cli.js'));
    expect(stamp('check', tree)).toBe(1);
  });
});

describe('--sandbox start-up output', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnHttpServer({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('should print the banner before any log line, and keep Nest start-up lines out of the info log', async () => {
    const deadline = Date.now() + 5000;
    while (!server.stderr().includes('dataverse-mcp ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lines = server
      .stderr()
      .split('\n')
      .filter((l) => l.trim() !== '');

    expect(lines[0]).toMatch(/^Sandbox is running/);
    expect(server.stderr()).toContain(`claude mcp add --transport http dataverse-sandbox ${server.url}/mcp`);
    const logs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(['dataverse-mcp ready']);
  });
});

describe('a port that is already taken', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
  });

  it.each([
    ['the sandbox', ['--sandbox'], {}],
    ['a real environment', [], { DATAVERSE_URL: 'https://contoso.crm.dynamics.com' }],
  ])('should stop with one line naming the port and MCP_PORT, exit code 1, for %s', async (_, args, env) => {
    const run = await runToExit({ MCP_TRANSPORT: 'http', MCP_PORT: String(port), ...env }, args);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    // Outside the sandbox Nest's info start-up lines come first; no error is logged besides the one line.
    const all = run.stderr.split('\n').filter((l) => l.trim() !== '');
    const errors = all.filter((l) => l.startsWith('{') && (JSON.parse(l) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
    const lines = all.filter((l) => !l.startsWith('{'));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^dataverse-mcp: port ${port} is already in use.*set MCP_PORT to a free port`)),
    ]);
    expect(lines[0]).toContain('AUTH_REDIRECT_PORT');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
