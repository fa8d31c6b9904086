import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';

/** What the cache reads of a file or folder (without following a symbolic link: `lstat`). */
export interface CacheFileStat {
  mtimeMs: number;
  size: number;
  mode: number;
  uid: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** The file operations the cache needs; injectable so a test can fail the rename. */
export interface CacheFileSystem {
  /** Like `lstat`: a symbolic link is reported as one, never followed. */
  stat(path: string): Promise<CacheFileStat>;
  /** Like `stat`: follows links (the folder may be reached through one). */
  statFolder(path: string): Promise<CacheFileStat>;
  chmod(path: string, mode: number): Promise<void>;
  /** Must not follow a symbolic link (fails with ELOOP). */
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number; flag: string }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
}

// Windows has no O_NOFOLLOW; there the lstat check before the read is what refuses a link.
const NO_FOLLOW = fsConstants.O_NOFOLLOW ?? 0;

const nodeFileSystem: CacheFileSystem = {
  stat: (p) => fsp.lstat(p),
  statFolder: (p) => fsp.stat(p),
  chmod: (p, m) => fsp.chmod(p, m),
  readFile: async (p, e) => {
    const handle = await fsp.open(p, fsConstants.O_RDONLY | NO_FOLLOW);
    try {
      return await handle.readFile(e);
    } finally {
      await handle.close();
    }
  },
  writeFile: (p, d, o) => fsp.writeFile(p, d, o),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  mkdir: (p, o) => fsp.mkdir(p, o),
};

/** One cache file per environment and app registration, e.g. `msal-cache.contoso.crm4.dynamics.com.<client id>.json`. */
export function tokenCacheFileName(dataverseUrl: string, clientId: string): string {
  const host = new URL(dataverseUrl).host.toLowerCase();
  const safe = (s: string) => s.replace(/[^a-z0-9.-]/gi, '_').replace(/^\.+/, '_');
  return `msal-cache.${safe(host)}.${safe(clientId.toLowerCase())}.json`;
}

const EMPTY_CACHE = '{}';
const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';
/** Group and other permission bits. */
const SHARED_BITS = 0o077;

/**
 * MSAL `ICachePlugin` over a JSON file: mode 0600 in a 0700 folder, written atomically (temp file + rename),
 * re-read only when its mtime or size changed. A corrupt file is set aside and replaced by an empty cache.
 * The folder must be ours: one open to others is tightened to 0700, one owned by another user is not used.
 * A cache file that is a symbolic link (or not a regular file) is neither read nor replaced. In every such
 * case the tokens stay in memory and a warning says what to fix. Log lines name the file and the problem,
 * never its content.
 */
export class FileTokenCachePlugin implements ICachePlugin {
  private readonly fs: CacheFileSystem;
  /** `mtimeMs:size` of the file as last read or written; `absent` when there was none. */
  private signature?: string;
  /**
   * The cache as we last read or wrote it. MSAL replaces its in-memory cache with the last deserialized
   * snapshot before every silent lookup, so even when the file is unchanged we hand this back (no disk read).
   */
  private text?: string;
  /** Set once the folder is known to be ours and closed to others. */
  private folderOk = false;
  /** Problems already reported, so a refusal warns once and not on every token lookup. */
  private readonly reported = new Set<string>();

  constructor(
    readonly filePath: string,
    private readonly logger: LoggerService,
    fileSystem: Partial<CacheFileSystem> = {},
  ) {
    this.fs = { ...nodeFileSystem, ...fileSystem };
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!(await this.folderUsable())) {
      this.restore(context);
      return;
    }
    let stat: CacheFileStat;
    try {
      stat = await this.fs.stat(this.filePath);
    } catch (err) {
      if (!isMissing(err)) {
        this.logger.warn?.(`Token cache file ${this.filePath} cannot be read (${code(err)}); continuing with the tokens in memory.`);
        this.restore(context);
        return;
      }
      // Deleted behind our back: start from empty, as the file says. Never written: keep what is in memory.
      if (this.signature !== undefined && this.signature !== 'absent') this.text = EMPTY_CACHE;
      this.signature = 'absent';
      this.restore(context);
      return;
    }
    if (this.refusedFile(stat)) {
      this.restore(context);
      return;
    }
    const signature = `${stat.mtimeMs}:${stat.size}`;
    if (signature === this.signature) {
      this.restore(context);
      return;
    }
    let text: string;
    try {
      text = await this.fs.readFile(this.filePath, 'utf8');
    } catch (err) {
      if (code(err) === 'ELOOP') {
        this.report('link', this.linkMessage());
        this.restore(context);
        return;
      }
      this.logger.warn?.(`Token cache file ${this.filePath} cannot be read (${code(err)}); continuing with the tokens in memory.`);
      this.restore(context);
      return;
    }
    const problem = validate(text);
    if (!problem) {
      try {
        context.tokenCache.deserialize(text);
        this.signature = signature;
        this.text = text;
        return;
      } catch {
        // falls through to setting the file aside
      }
    }
    await this.setAside(problem ?? 'its entries have an unexpected shape');
    this.text = EMPTY_CACHE;
    context.tokenCache.deserialize(EMPTY_CACHE);
  }

  private restore(context: TokenCacheContext): void {
    if (this.text !== undefined) context.tokenCache.deserialize(this.text);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    await this.write(context.tokenCache.serialize());
  }

  private async write(data: string): Promise<void> {
    const dir = dirname(this.filePath);
    const temp = join(dir, `.${basename(this.filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    // What is in memory is the truth from now on, whether or not the file write succeeds.
    this.text = data;
    try {
      await this.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      if (!(await this.folderUsable())) return;
      const existing = await this.fs.stat(this.filePath).catch((err: unknown) => {
        if (isMissing(err)) return undefined;
        throw err;
      });
      if (existing && this.refusedFile(existing)) return;
      await this.fs.writeFile(temp, data, { mode: 0o600, flag: 'wx' });
      await this.fs.rename(temp, this.filePath);
      const stat = await this.fs.stat(this.filePath);
      this.signature = `${stat.mtimeMs}:${stat.size}`;
    } catch (err) {
      await this.fs.unlink(temp).catch(() => undefined);
      // The tokens stay usable in memory; only persistence across restarts is lost.
      this.logger.warn?.(
        `Could not save the token cache to ${this.filePath} (${code(err)}); sign-in will not survive a restart. Check TOKEN_CACHE_DIR is writable.`,
      );
    }
  }

  /**
   * Whether the folder may hold the cache: missing (it is created 0700 on the first write), or ours, with
   * group and other access removed if it had any. Owned by someone else: refused (they could swap the file).
   */
  private async folderUsable(): Promise<boolean> {
    if (this.folderOk) return true;
    const dir = dirname(this.filePath);
    let stat: CacheFileStat;
    try {
      stat = await this.fs.statFolder(dir);
    } catch (err) {
      if (isMissing(err)) return true;
      this.report(
        `folder:${code(err)}`,
        `Token cache folder ${dir} cannot be checked (${code(err)}); the sign-in stays in memory only. Check TOKEN_CACHE_DIR.`,
      );
      return false;
    }
    if (!stat.isDirectory()) {
      this.report(
        'folder:type',
        `TOKEN_CACHE_DIR ${dir} is not a folder; the sign-in stays in memory only. Point TOKEN_CACHE_DIR at a folder.`,
      );
      return false;
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      this.report(
        'folder:owner',
        `Token cache folder ${dir} belongs to another user (uid ${stat.uid}, not ${uid}), so the server neither reads nor writes its token cache there; ` +
          'the sign-in stays in memory only. Set TOKEN_CACHE_DIR to a folder of your own.',
      );
      return false;
    }
    if (uid !== undefined && (stat.mode & SHARED_BITS) !== 0) {
      try {
        await this.fs.chmod(dir, 0o700);
      } catch (err) {
        this.report(
          'folder:chmod',
          `Token cache folder ${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)}) and could not be restricted (${code(err)}); ` +
            'the sign-in stays in memory only. Run chmod 700 on it or set TOKEN_CACHE_DIR to another folder.',
        );
        return false;
      }
      this.logger.warn?.(
        `Token cache folder ${dir} was open to other users (mode ${(stat.mode & 0o777).toString(8)}); restricted it to its owner (700).`,
      );
    }
    this.folderOk = true;
    return true;
  }

  /** A cache file that is a link or not a regular file is never read nor replaced (reported once). */
  private refusedFile(stat: CacheFileStat): boolean {
    if (stat.isSymbolicLink()) {
      this.report('link', this.linkMessage());
      return true;
    }
    if (!stat.isFile()) {
      this.report(
        'type',
        `Token cache file ${this.filePath} is not a regular file, so the server neither reads nor replaces it; the sign-in stays in memory only. Remove it.`,
      );
      return true;
    }
    return false;
  }

  private linkMessage(): string {
    return (
      `Token cache file ${this.filePath} is a symbolic link, so the server neither reads nor replaces it; the sign-in stays in memory only. ` +
      'Remove the link (the server then writes a file of its own) or set TOKEN_CACHE_DIR to another folder.'
    );
  }

  private report(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.warn?.(message);
  }

  private async setAside(problem: string): Promise<void> {
    const aside = `${this.filePath}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await this.fs.rename(this.filePath, aside);
      this.logger.warn?.(
        `Token cache file ${this.filePath} is corrupt (${problem}); moved it to ${aside} and started with an empty cache. Sign in again.`,
      );
    } catch (err) {
      this.logger.warn?.(
        `Token cache file ${this.filePath} is corrupt (${problem}) and could not be moved aside (${code(err)}); starting with an empty cache. Sign in again.`,
      );
    }
    this.signature = 'absent';
  }
}

/** Why the text is not a cache, in words that never quote it (it may hold tokens). */
function validate(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
  for (const value of Object.values(parsed)) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return 'a top-level section is not an object';
  }
  return undefined;
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.name ?? 'error';
}
