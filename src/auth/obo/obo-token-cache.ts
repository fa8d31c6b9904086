import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { SharedStringStore } from '../../cache/string-store';

/** Where the per-user MSAL caches live: the shared Redis (replicas share tokens), or this process's memory. */
export type OboCacheStore = SharedStringStore;

/** A cache entry outlives its last token by this much; it never lives longer than the cap (long-lived CAE tokens ~ 28 h). */
const TTL_MARGIN_SECONDS = 300;
const TTL_CAP_SECONDS = 30 * 3600;

interface SerializedCache {
  AccessToken?: Record<string, { expires_on?: string; extended_expires_on?: string }>;
  [section: string]: unknown;
}

/**
 * Drops expired access tokens (each incoming token adds one: MSAL keys on-behalf-of results by the
 * incoming token's hash) and says how long the rest stays useful.
 */
export function pruneCache(text: string, nowMs: number): { text: string; ttlSeconds: number } {
  const cache = JSON.parse(text) as SerializedCache;
  const nowSeconds = Math.floor(nowMs / 1000);
  let latest = 0;
  for (const [key, token] of Object.entries(cache.AccessToken ?? {})) {
    const expiresOn = Number(token?.expires_on);
    if (!Number.isFinite(expiresOn) || expiresOn <= nowSeconds) delete cache.AccessToken![key];
    else latest = Math.max(latest, expiresOn);
  }
  const ttlSeconds = Math.min(TTL_CAP_SECONDS, Math.max(60, latest - nowSeconds + TTL_MARGIN_SECONDS));
  return { text: JSON.stringify(cache), ttlSeconds };
}

/**
 * MSAL's cache for one user, partitioned in the store under `key` (`mcp:<env host>:<user key>:msal`):
 * read before every MSAL cache write, written back after it when MSAL changed something.
 * MSAL Node's on-behalf-of flow looks up its cache without calling the plugin, so the provider calls
 * `tokenCache.overwriteCache()` (clear, then this plugin's read) before each `acquireTokenOnBehalfOf`:
 * what another replica or a sign-out did counts.
 */
export class PartitionedCachePlugin implements ICachePlugin {
  constructor(
    private readonly store: OboCacheStore,
    private readonly key: string,
    private readonly now: () => number = Date.now,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const text = await this.store.get(this.key);
    // deserialize() merges into what MSAL holds; overwriteCache() clears it first.
    context.tokenCache.deserialize(text && isCacheText(text) ? text : '{}');
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const { text, ttlSeconds } = pruneCache(context.tokenCache.serialize(), this.now());
    await this.store.set(this.key, text, ttlSeconds);
  }
}

function isCacheText(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
