import { createPublicKey, KeyObject } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';

export interface JwksOptions {
  fetch: typeof fetch;
  now: () => number;
  logger: LoggerService;
  /** An unknown `kid` triggers a refetch at most this often (a forged kid must not make us hammer Entra). */
  minRefetchIntervalMs?: number;
  /** Keys older than this are refetched in the background of the next lookup (Entra rotates keys every few weeks). */
  maxAgeMs?: number;
  timeoutMs?: number;
}

/** Raised when no signing keys can be had at all: the request is answered 503, not 401 (the token may be fine). */
export class SigningKeysUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeysUnavailableError';
  }
}

interface Jwk {
  kty?: string;
  kid?: string;
  use?: string;
  n?: string;
  e?: string;
}

/**
 * The tenant's token signing keys (JWKS), fetched on first use, cached, and refetched when a token names a
 * key we do not know (key rotation) — rate-limited — or when the cached set is a day old.
 */
export class JwksKeySet {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private readonly minRefetchIntervalMs: number;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly url: () => Promise<string>,
    private readonly options: JwksOptions,
  ) {
    this.minRefetchIntervalMs = options.minRefetchIntervalMs ?? 60_000;
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The public key for `kid`, or undefined when the tenant does not publish one (after a refetch if allowed). */
  async key(kid: string): Promise<KeyObject | undefined> {
    const now = this.options.now();
    const stale = this.keys.size > 0 && now - this.fetchedAt > this.maxAgeMs;
    if (this.keys.size === 0 || stale || (!this.keys.has(kid) && now - this.lastAttempt >= this.minRefetchIntervalMs)) {
      try {
        await this.refresh();
      } catch (err) {
        // Keep serving the keys we have; without any, nothing can be validated.
        if (this.keys.size === 0) throw err;
      }
    }
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async load(): Promise<void> {
    this.lastAttempt = this.options.now();
    let url = '';
    try {
      url = await this.url();
      const res = await this.options.fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { keys?: Jwk[] };
      const keys = new Map<string, KeyObject>();
      for (const jwk of Array.isArray(body?.keys) ? body.keys : []) {
        if (jwk?.kty !== 'RSA' || !jwk.kid || !jwk.n || !jwk.e || (jwk.use && jwk.use !== 'sig')) continue;
        try {
          keys.set(jwk.kid, createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }));
        } catch {
          // a malformed key is skipped, the others still count
        }
      }
      if (keys.size === 0) throw new Error('the document has no RSA signing keys');
      this.keys = keys;
      this.fetchedAt = this.options.now();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.options.logger.warn?.(`Could not load the token signing keys from ${url || 'the JWKS URL'}: ${reason}`);
      throw new SigningKeysUnavailableError(`The token signing keys cannot be loaded right now (${reason}).`);
    }
  }
}
