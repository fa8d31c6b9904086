import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { callTool, connectHttp, connectStdio } from '../support/mcp-clients';
import { freePort, SpawnedServer, spawnHttpServer } from '../support/server-process';

/** Debian's chromium, never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function status(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the sandbox record viewer in a real browser', () => {
  let server: SpawnedServer;
  let client: Client;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  let contactId: string;
  let account: { id: string; name: string };
  const requested: string[] = [];
  // Markup and quotes in a value must come out as text.
  const lastname = `<b>Zoë</b> & "O'Neil"`;

  beforeAll(async () => {
    server = await spawnHttpServer({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
    client = await connectHttp(server.url);
    const signIn = await callTool(client, 'sign_in');
    expect((await fetch((signIn.structuredContent as { url: string }).url, { redirect: 'follow' })).status).toBe(200);
    const accounts = await callTool(client, 'list_records', { table: 'account', select: 'name', top: 1, orderby: 'name' });
    const first = (accounts.structuredContent as { records: Array<{ accountid: string; name: string }> }).records[0];
    account = { id: first.accountid, name: first.name };
    const created = await callTool(client, 'create_record', {
      table: 'contact',
      data: { firstname: 'Viewer', lastname, parentcustomerid: { table: 'account', id: account.id }, preferredcontactmethodcode: 'Email' },
    });
    expect(created.isError).toBeFalsy();
    contactId = (created.structuredContent as { id: string }).id;

    profile = mkdtempSync(join(tmpdir(), 'dvmcp-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = await browser.newPage();
    page.on('request', (r) => requested.push(r.url()));
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await client?.close();
    await server?.stop();
  });

  it('should list the tables with their record counts', async () => {
    const res = await page.goto(`${server.url}/sandbox/`);

    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Tables · Dataverse sandbox');
    const contactRow = page.locator('tr', { has: page.locator('code', { hasText: /^contact$/ }) });
    expect(Number(await contactRow.locator('td.num').textContent())).toBeGreaterThan(1);
    await expect(page.locator('a', { hasText: 'Project' }).count()).resolves.toBe(1);
  });

  it('should show the record created through MCP first on its table page, and open it', async () => {
    await page.goto(`${server.url}/sandbox/`);
    await page.locator('a', { hasText: /^Contact$/ }).click();
    await page.waitForURL(`${server.url}/sandbox/contact/`);

    const firstLink = page.locator('tbody tr').first().locator('td').first().locator('a');
    expect(await firstLink.textContent()).toBe(`Viewer ${lastname}`);
    await firstLink.click();
    await page.waitForURL(`${server.url}/sandbox/contact/${contactId}`);

    expect(await page.locator('h1').textContent()).toBe(`Viewer ${lastname}`);
    expect(await page.locator('h1 b').count()).toBe(0);
  });

  it('should show fields with their labels: choice labels and the related record by name, linked', async () => {
    await page.goto(`${server.url}/sandbox/contact/${contactId}`);
    const row = (field: string) => page.locator('tr', { has: page.locator('code', { hasText: new RegExp(`^${field}$`) }) });

    expect(await row('lastname').locator('td').first().textContent()).toBe('Last Name');
    expect(await row('lastname').locator('td.value').textContent()).toBe(lastname);
    expect(await row('preferredcontactmethodcode').locator('td.value').textContent()).toMatch(/^Email\d+$/);
    const company = row('parentcustomerid').locator('td.value a');
    expect(await company.textContent()).toBe(account.name);
    await company.click();
    await page.waitForURL(`${server.url}/sandbox/account/${account.id}`);
    expect(await page.locator('h1').textContent()).toBe(account.name);
  });

  it('should say a deleted or unknown record is not there, with 404', async () => {
    const res = await page.goto(`${server.url}/sandbox/contact/00000000-0000-0000-0000-000000000001`);

    expect(res?.status()).toBe(404);
    expect(await page.locator('p.empty').textContent()).toMatch(/no contact with id 00000000-0000-0000-0000-000000000001/);
    expect((await page.goto(`${server.url}/sandbox/nosuchtable/`))?.status()).toBe(404);
  });

  it('should load nothing from anywhere else and forbid scripts and frames', async () => {
    const res = await page.goto(`${server.url}/sandbox/contact/${contactId}`);

    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((u) => !u.startsWith(`${server.url}/`))).toEqual([]);
  });

  it('should follow the same Host and Origin rules as the MCP endpoints, and be read-only', async () => {
    const port = new URL(server.url).port;
    expect(await status(`${server.url}/sandbox/`, { host: `evil.example:${port}` })).toBe(403);
    expect(await status(`${server.url}/sandbox/`, { origin: 'http://evil.example' })).toBe(403);
    expect((await fetch(`${server.url}/sandbox/contact/${contactId}`, { method: 'POST' })).status).toBe(405);
  });
});

describe('the sandbox record viewer over stdio (Claude Desktop)', () => {
  it("should serve the process's own records on a listener of its own, and write nothing to stdout", async () => {
    const { client, stderr } = await connectStdio({ AUTH_REDIRECT_PORT: String(await freePort()) }, ['--sandbox']);
    try {
      await client.listTools();
      const line = stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; url?: string })
        .find((l) => l.msg === 'sandbox record viewer listening');
      expect(line?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/$/);

      const res = await fetch(line!.url!);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<h1>Tables</h1>');
      expect(await status(line!.url!, { host: 'evil.example' })).toBe(403);
    } finally {
      await client.close();
    }
  });
});
