import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';

/** The file operations the cache needs; injectable so a test can fail the rename. */
export interface CacheFileSystem {
  stat(path: string): Promise<{ mtimeMs: number; size: number }>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number; flag: string }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
}

const nodeFileSystem: CacheFileSystem = {
  stat: (p) => fsp.stat(p),
  readFile: (p, e) => fsp.readFile(p, e),
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

/**
 * MSAL `ICachePlugin` over a JSON file: mode 0600 in a 0700 folder, written atomically (temp file + rename),
 * re-read only when its mtime or size changed. A corrupt file is set aside and replaced by an empty cache.
 * Log lines name the file and the problem, never its content.
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

  constructor(
    readonly filePath: string,
    private readonly logger: LoggerService,
    fileSystem: Partial<CacheFileSystem> = {},
  ) {
    this.fs = { ...nodeFileSystem, ...fileSystem };
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    let stat: { mtimeMs: number; size: number };
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
    const signature = `${stat.mtimeMs}:${stat.size}`;
    if (signature === this.signature) {
      this.restore(context);
      return;
    }
    let text: string;
    try {
      text = await this.fs.readFile(this.filePath, 'utf8');
    } catch (err) {
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
