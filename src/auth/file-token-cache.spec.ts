import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFileSystem, tokenCacheFileName } from './file-token-cache';
import { MsalTokenProvider } from './msal-token-provider';
import {
  captureNestLogs,
  CLIENT_ID,
  DATAVERSE_URL,
  FakeIdentityProvider,
  ManualClock,
  testConfig,
  USER_OID,
  visit,
} from './testing/fake-identity-provider';

describe('FileTokenCachePlugin (through MSAL)', () => {
  let root: string;
  let cacheDir: string;
  let cacheFile: string;
  let idp: FakeIdentityProvider;
  let logs: ReturnType<typeof captureNestLogs>;
  const providers: MsalTokenProvider[] = [];

  const make = (fileSystem?: Partial<CacheFileSystem>) => {
    const provider = new MsalTokenProvider(testConfig({ tokenCacheDir: cacheDir }), {
      networkClient: idp,
      clock: new ManualClock(),
      fileSystem,
    });
    providers.push(provider);
    return provider;
  };

  async function signIn(provider: MsalTokenProvider): Promise<void> {
    const result = await provider.signIn();
    if (result.status !== 'pending' || result.flow !== 'browser') throw new Error('expected a browser sign-in');
    const page = await visit(idp.authorize(result.url));
    if (page.status !== 200) throw new Error(`callback answered ${page.status}`);
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'auth-cache-'));
    cacheDir = join(root, 'nested', 'cache');
    cacheFile = join(cacheDir, tokenCacheFileName(DATAVERSE_URL, CLIENT_ID));
    idp = new FakeIdentityProvider();
    logs = captureNestLogs();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.dispose()));
    logs.restore();
    await rm(root, { recursive: true, force: true });
  });

  it('should derive one filesystem-safe file name per environment host and client id', () => {
    expect(tokenCacheFileName('https://contoso.crm4.dynamics.com', CLIENT_ID)).toBe(
      `msal-cache.contoso.crm4.dynamics.com.${CLIENT_ID}.json`,
    );
    expect(tokenCacheFileName('http://127.0.0.1:8080', '../x/y')).toBe('msal-cache.127.0.0.1_8080.__x_y.json');
  });

  it('should write the file with mode 0600 in a folder created with mode 0700 when a sign-in completes', async () => {
    const provider = make();

    await signIn(provider);

    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    const content = JSON.parse(await readFile(cacheFile, 'utf8')) as {
      Account: Record<string, unknown>;
      RefreshToken: Record<string, unknown>;
    };
    expect(Object.keys(content.Account)).toHaveLength(1);
    expect(Object.keys(content.RefreshToken)).toHaveLength(1);
  });

  it('should sign in silently from the file when the server restarts', async () => {
    await signIn(make());
    const postsBefore = idp.posts.length;

    const token = await make().getToken();

    expect(token.account.userKey).toBe(USER_OID);
    expect(idp.posts).toHaveLength(postsBefore); // the cached access token was enough
  });

  it('should keep the old file intact and readable when the process dies between write and rename', async () => {
    await signIn(make());
    const before = await readFile(cacheFile, 'utf8');
    const crashing = make({
      rename: async () => {
        throw Object.assign(new Error('simulated crash'), { code: 'EIO' });
      },
    });

    await crashing.getToken(undefined, { forceRefresh: true }); // a new token: the cache changed and is written

    expect(await readFile(cacheFile, 'utf8')).toBe(before);
    expect(() => JSON.parse(before)).not.toThrow();
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(make().getToken()).resolves.toMatchObject({ account: { userKey: USER_OID } });
    expect(logs.lines.some((l) => l.startsWith('warn') && l.includes('Could not save the token cache'))).toBe(true);
  });

  it('should set a corrupt file aside, log one warning and continue with an empty cache when the file is not JSON', async () => {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(cacheFile, '{"RefreshToken": {"x": "SECRET-REFRESH-TOKEN"', { mode: 0o600 });
    const provider = make();

    const error = await provider.getToken().catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'sign_in_required' });
    const files = await readdir(cacheDir);
    expect(files.filter((f) => f.startsWith(`${tokenCacheFileName(DATAVERSE_URL, CLIENT_ID)}.corrupt-`))).toHaveLength(1);
    expect(files).not.toContain(tokenCacheFileName(DATAVERSE_URL, CLIENT_ID));
    const warnings = logs.lines.filter((l) => l.includes('is corrupt'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warn /);
    expect(logs.lines.join('\n')).not.toContain('SECRET-REFRESH-TOKEN');
  });

  it('should still be able to sign in and persist when the file was corrupt', async () => {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(cacheFile, '[1,2,3]');
    const provider = make();

    await signIn(provider);

    expect(JSON.parse(await readFile(cacheFile, 'utf8'))).toHaveProperty('Account');
  });

  it('should not re-read the file when its mtime and size did not change', async () => {
    await signIn(make());
    const reads: string[] = [];
    const provider = make({ readFile: (p, e) => (reads.push(p), fsp.readFile(p, e)) });

    await provider.currentAccount();
    await provider.currentAccount();
    await provider.getToken();

    expect(reads).toHaveLength(1);
  });

  it('should re-read the file when another process changed it', async () => {
    const reads: string[] = [];
    const reader = make({ readFile: (p, e) => (reads.push(p), fsp.readFile(p, e)) });
    await expect(reader.currentAccount()).resolves.toBeUndefined();

    await signIn(make());

    await expect(reader.currentAccount()).resolves.toMatchObject({ userKey: USER_OID });
    expect(reads).toHaveLength(1);
  });

  it('should empty the file when the user signs out', async () => {
    const provider = make();
    await signIn(provider);

    await provider.signOut();

    const content = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(content.Account ?? {})).toHaveLength(0);
    expect(Object.keys(content.RefreshToken ?? {})).toHaveLength(0);
    expect(Object.keys(content.AccessToken ?? {})).toHaveLength(0);
    await expect(make().getToken()).rejects.toMatchObject({ kind: 'sign_in_required' });
  });
});
