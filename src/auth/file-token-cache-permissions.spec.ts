import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink } from 'node:fs/promises';
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

/** The token cache refuses what another user could have planted: a folder open to others, a link, a non-file. */
describe('FileTokenCachePlugin: folder permissions and links', () => {
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
  const warnings = (text: string) => logs.lines.filter((l) => l.startsWith('warn') && l.includes(text));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'auth-cache-perm-'));
    cacheDir = join(root, 'cache');
    cacheFile = join(cacheDir, tokenCacheFileName(DATAVERSE_URL, CLIENT_ID));
    idp = new FakeIdentityProvider();
    logs = captureNestLogs();
  });
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.dispose()));
    logs.restore();
    await rm(root, { recursive: true, force: true });
  });

  it('should tighten an existing folder of ours that others can open (0777) to 0700, say so once, and keep the cache there', async () => {
    await mkdir(cacheDir);
    await chmod(cacheDir, 0o777);

    await signIn(make());

    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    expect((await stat(cacheFile)).mode & 0o777).toBe(0o600);
    expect(warnings('restricted it to its owner (700)')).toHaveLength(1);
    await expect(make().getToken()).resolves.toMatchObject({ account: { userKey: USER_OID } });
  });

  it('should neither read nor replace a cache file that is a symbolic link, with one clear warning and no crash', async () => {
    // A valid cache elsewhere, then the cache file replaced by a link to it.
    await signIn(make());
    const elsewhere = join(root, 'elsewhere.json');
    await fsp.rename(cacheFile, elsewhere);
    const target = await readFile(elsewhere, 'utf8');
    await symlink(elsewhere, cacheFile);
    const provider = make();

    const error = await provider.getToken().catch((e: unknown) => e);
    await provider.currentAccount();
    await signIn(provider);

    expect(error).toMatchObject({ kind: 'sign_in_required' });
    expect((await lstat(cacheFile)).isSymbolicLink()).toBe(true);
    expect(await readlink(cacheFile)).toBe(elsewhere);
    expect(await readFile(elsewhere, 'utf8')).toBe(target);
    const linkWarnings = warnings('is a symbolic link');
    expect(linkWarnings).toHaveLength(1);
    expect(linkWarnings[0]).toContain('Remove the link');
    // The sign-in still works in memory.
    await expect(provider.getToken()).resolves.toMatchObject({ account: { userKey: USER_OID } });
  });

  it('should not read a cache file that is a named pipe (it would never end)', async () => {
    await mkdir(cacheDir, { mode: 0o700 });
    execFileSync('mkfifo', [cacheFile]);

    const error = await make()
      .getToken()
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'sign_in_required' });
    expect(warnings('is not a regular file')).toHaveLength(1);
  }, 10000);

  it('should refuse a folder owned by another user: nothing read or written there, and the warning says what to do', async () => {
    await mkdir(cacheDir, { mode: 0o700 });
    const uid = process.getuid!();
    const provider = make({ statFolder: async (p) => Object.assign(await fsp.stat(p), { uid: uid + 1 }) });

    await signIn(provider);

    await expect(stat(cacheFile)).rejects.toMatchObject({ code: 'ENOENT' });
    const owner = warnings('belongs to another user');
    expect(owner).toHaveLength(1);
    expect(owner[0]).toContain('Set TOKEN_CACHE_DIR to a folder of your own');
    await expect(provider.getToken()).resolves.toMatchObject({ account: { userKey: USER_OID } });
  });

  it('should keep the tokens in memory only when an open folder cannot be restricted', async () => {
    await mkdir(cacheDir);
    await chmod(cacheDir, 0o755);
    const provider = make({
      chmod: async () => {
        throw Object.assign(new Error('not permitted'), { code: 'EPERM' });
      },
    });

    await signIn(provider);

    await expect(stat(cacheFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(warnings('could not be restricted (EPERM)')).toHaveLength(1);
  });
});
