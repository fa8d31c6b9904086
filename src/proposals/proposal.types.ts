/**
 * Delete proposals: what `delete_record` stores and `confirm_delete_record` consumes (DESIGN.md §6).
 * The stores only ever see the SHA-256 hash of a token, never the token itself.
 */

/** A pending delete, exactly as `delete_record` described it to the user. */
export interface DeleteProposal {
  /** Logical name of the table, e.g. `account`. */
  table: string;
  /** Entity set name used in the Web API URL, e.g. `accounts`. */
  entitySet: string;
  /** Primary key (GUID) of the record to delete. */
  id: string;
  /** Stable key of the user who asked for the delete; only this user can confirm it. */
  userKey: string;
  /** ETag read with the impact summary, for an `If-Match` on the DELETE. */
  etag?: string;
  /** Bulk delete (`ids`): every record with the etag read for the summary; `id`/`etag` are then the first's. */
  records?: Array<{ id: string; etag?: string; name?: string }>;
  /** The impact summary shown to the user (primary name, key fields, cascading relationships and counts). */
  summary: Record<string, unknown>;
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601 */
  expiresAt: string;
}

export type NewDeleteProposal = Omit<DeleteProposal, 'createdAt' | 'expiresAt'>;

/** What a store is asked to keep. `proposal` is the JSON of a {@link DeleteProposal}. */
export interface StoredProposal {
  userKey: string;
  /** JSON of the whole {@link DeleteProposal}. */
  proposal: string;
  /** ISO 8601, also kept in the tombstone. */
  expiresAt: string;
  /** How long the proposal lives. */
  ttlMs: number;
  /** How long the small tombstone (`{expiresAt, userKey, usedAt?}`) lives, so expired and used tokens can be told apart. */
  tombstoneTtlMs: number;
}

/** Why a consumption did or did not succeed; on anything but `ok` the store changed nothing. */
export type ConsumeOutcome =
  | { status: 'ok'; proposal: string }
  /** Neither the proposal nor its tombstone exists: never issued here, or issued too long ago. */
  | { status: 'unknown' }
  /** The proposal or its tombstone belongs to another user. */
  | { status: 'forbidden' }
  | { status: 'expired'; expiresAt: string }
  | { status: 'used'; usedAt: string };

/**
 * Keeps delete proposals by token hash. `consume` must be atomic: of N concurrent calls for one hash,
 * at most one gets `ok`, and every call that does not get `ok` changes nothing.
 */
export interface ProposalStore {
  readonly kind: 'redis' | 'memory';
  /** Stores the proposal and its tombstone together (both or neither). */
  create(hash: string, entry: StoredProposal): Promise<void>;
  /** Owner check, delete, mark the tombstone used, return the proposal — or say why not. */
  consume(hash: string, userKey: string, usedAt: string): Promise<ConsumeOutcome>;
}

/** The store could not be reached or did not answer in time. Deletes fail closed on it. */
export class ProposalStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProposalStoreUnavailableError';
  }
}

/** Nest token of the {@link ProposalStore} in use. */
export const PROPOSAL_STORE = Symbol('PROPOSAL_STORE');
/**
 * Nest token of an already connected node-redis client (the shared one from the cache module).
 * Optional: without it, or without `REDIS_URL`, proposals live in memory.
 */
export const PROPOSALS_REDIS_CLIENT = Symbol('PROPOSALS_REDIS_CLIENT');
