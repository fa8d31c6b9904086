import type { ConsumeOutcome, ProposalStore, StoredProposal } from './proposal.types';

interface Entry {
  userKey: string;
  /** Dropped once consumed; the rest of the entry is the tombstone. */
  proposal?: string;
  expiresAt: string;
  expiresAtMs: number;
  tombstoneExpiresAtMs: number;
  usedAt?: string;
}

export interface MemoryProposalStoreOptions {
  /** Clock in epoch milliseconds (tests). */
  now?: () => number;
}

/** Sweep dead entries at most this often, on `create`. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The same contract as the Redis store, within one process (used when REDIS_URL is unset).
 * Expiry is by timestamp — no timers — and `consume` runs without awaiting anything, so it is atomic.
 */
export class MemoryProposalStore implements ProposalStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(options: MemoryProposalStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async create(hash: string, entry: StoredProposal): Promise<void> {
    const now = this.now();
    this.sweep(now);
    const existing = this.live(hash, now);
    // 256 random bits do not collide; refuse rather than overwrite, like the Redis script.
    if (existing) throw new Error('a proposal with this token hash already exists');
    this.entries.set(hash, {
      userKey: entry.userKey,
      proposal: entry.proposal,
      expiresAt: entry.expiresAt,
      expiresAtMs: now + entry.ttlMs,
      tombstoneExpiresAtMs: now + Math.max(entry.tombstoneTtlMs, entry.ttlMs),
    });
  }

  async consume(hash: string, userKey: string, usedAt: string): Promise<ConsumeOutcome> {
    const now = this.now();
    const entry = this.live(hash, now);
    if (!entry) return { status: 'unknown' };
    if (entry.userKey !== userKey) return { status: 'forbidden' };
    if (entry.proposal !== undefined && now < entry.expiresAtMs) {
      const proposal = entry.proposal;
      entry.proposal = undefined;
      entry.usedAt = usedAt;
      return { status: 'ok', proposal };
    }
    if (entry.usedAt !== undefined) return { status: 'used', usedAt: entry.usedAt };
    return { status: 'expired', expiresAt: entry.expiresAt };
  }

  /** Number of entries held, tombstones included (tests). */
  get size(): number {
    return this.entries.size;
  }

  private live(hash: string, now: number): Entry | undefined {
    const entry = this.entries.get(hash);
    if (entry && now >= entry.tombstoneExpiresAtMs) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [hash, entry] of this.entries) {
      if (now >= entry.tombstoneExpiresAtMs) this.entries.delete(hash);
      else if (entry.proposal !== undefined && now >= entry.expiresAtMs) entry.proposal = undefined;
    }
  }
}
