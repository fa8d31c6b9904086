import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ToolError } from '../common/tool-error';
import {
  type DeleteProposal,
  type NewDeleteProposal,
  PROPOSAL_STORE,
  type ProposalStore,
  ProposalStoreUnavailableError,
} from './proposal.types';
import { hashToken, newToken, TOKEN_LENGTH, TOKEN_PREFIX, tokenProblem } from './proposal-token';

/** How long a tombstone outlives its proposal, so "expired" and "already used" can still be told apart. */
export const TOMBSTONE_TTL_SECONDS = 24 * 3600;

const NEW_TOKEN_HINT = 'call delete_record again to get a new token';

/**
 * Two-step deletes: `propose` stores what would be deleted and returns a one-time token; `consume` turns the
 * token back into the proposal exactly once, for the same user. Nothing is deleted without a consumed proposal:
 * every failure here — including an unreachable store — is a thrown {@link ToolError}.
 */
@Injectable()
export class ProposalsService {
  private readonly logger = new Logger(ProposalsService.name);
  private readonly ttlSeconds: number;

  constructor(
    @Inject(PROPOSAL_STORE) private readonly store: ProposalStore,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'confirmTokenTtlSeconds'>,
  ) {
    this.ttlSeconds = config.confirmTokenTtlSeconds > 0 ? config.confirmTokenTtlSeconds : 120;
  }

  /** Which store holds the proposals (`redis` or `memory`), for health output. */
  get storeKind(): ProposalStore['kind'] {
    return this.store.kind;
  }

  /** Stores the proposal for `confirmTokenTtlSeconds`; the returned token is shown once and never stored. */
  async propose(p: NewDeleteProposal): Promise<{ token: string; expiresAt: string }> {
    for (const field of ['table', 'entitySet', 'id', 'userKey'] as const) {
      if (typeof p[field] !== 'string' || p[field].length === 0) {
        throw new ToolError('invalid_input', `Cannot propose a delete without a ${field}.`);
      }
    }
    const now = Date.now();
    const createdAt = new Date(now).toISOString();
    const expiresAt = new Date(now + this.ttlSeconds * 1000).toISOString();
    const proposal: DeleteProposal = {
      table: p.table,
      entitySet: p.entitySet,
      id: p.id,
      userKey: p.userKey,
      ...(p.etag !== undefined ? { etag: p.etag } : {}),
      ...(p.records?.length ? { records: p.records } : {}),
      summary: p.summary ?? {},
      createdAt,
      expiresAt,
    };
    const token = newToken();
    try {
      await this.store.create(hashToken(token), {
        userKey: p.userKey,
        proposal: JSON.stringify(proposal),
        expiresAt,
        ttlMs: this.ttlSeconds * 1000,
        tombstoneTtlMs: Math.max(TOMBSTONE_TTL_SECONDS, this.ttlSeconds * 2) * 1000,
      });
    } catch (err) {
      if (err instanceof ProposalStoreUnavailableError) {
        throw new ToolError(
          'unavailable',
          'Could not record the delete proposal: the confirmation store (Redis) is unavailable, so no delete can be confirmed right now and nothing was deleted. Try again in a moment; if it keeps failing, Redis needs attention.',
          { reason: 'store_unavailable' },
        );
      }
      this.logger.error(`Storing a delete proposal failed: ${(err as Error)?.message ?? String(err)}`);
      throw new ToolError('internal', 'Could not record the delete proposal; nothing was deleted. Try delete_record again.', {
        reason: 'store_error',
      });
    }
    return { token, expiresAt };
  }

  /**
   * Consumes the token for `userKey`: returns the proposal exactly once, to its own user. Throws a ToolError
   * (nothing consumed, nothing to delete) for a malformed, unknown, expired, used or foreign token, or when
   * the store cannot be reached.
   */
  async consume(token: string, userKey: string): Promise<DeleteProposal> {
    const candidate = typeof token === 'string' ? token.trim() : '';
    const problem = tokenProblem(candidate);
    if (problem) throw malformed(problem, candidate);
    if (typeof userKey !== 'string' || userKey.length === 0) {
      throw new ToolError('forbidden', 'Cannot confirm a delete without knowing who is asking; sign in and try again.', {
        reason: 'no_user',
      });
    }

    const now = Date.now();
    let outcome;
    try {
      outcome = await this.store.consume(hashToken(candidate), userKey, new Date(now).toISOString());
    } catch (err) {
      if (err instanceof ProposalStoreUnavailableError) {
        throw new ToolError(
          'unavailable',
          'Cannot confirm the delete: the confirmation store (Redis) is unavailable, and deletes are refused while it is down. Nothing was deleted. Try confirm_delete_record again in a moment; if it then says the token expired, call delete_record again to get a new token.',
          { reason: 'store_unavailable' },
        );
      }
      this.logger.error(`Consuming a delete proposal failed: ${(err as Error)?.message ?? String(err)}`);
      throw new ToolError(
        'internal',
        'Could not check the confirmation token; nothing was deleted. Call delete_record again to get a new token.',
        {
          reason: 'store_error',
        },
      );
    }

    switch (outcome.status) {
      case 'ok':
        return JSON.parse(outcome.proposal) as DeleteProposal;
      case 'unknown':
        throw new ToolError(
          'not_found',
          `No pending delete matches this token: it was never issued by this server, was mistyped, or is too old to be remembered. Nothing was deleted; ${NEW_TOKEN_HINT}.`,
          { reason: 'unknown_token' },
        );
      case 'forbidden':
        throw new ToolError(
          'forbidden',
          'This confirmation token belongs to another user: only the user who called delete_record can confirm it. Nothing was deleted; call delete_record yourself to get your own token.',
          { reason: 'other_user' },
        );
      case 'used':
        throw new ToolError(
          'conflict',
          `This token was already used: a delete was already attempted with it at ${outcome.usedAt}. A token works only once. Nothing more was deleted; if the record still exists, ${NEW_TOKEN_HINT}.`,
          { reason: 'already_used', usedAt: outcome.usedAt },
        );
      case 'expired': {
        const ago = Math.max(0, Math.round((now - Date.parse(outcome.expiresAt)) / 1000));
        throw new ToolError(
          'conflict',
          `This confirmation token expired ${Number.isFinite(ago) ? ago : '?'} s ago; ${NEW_TOKEN_HINT} (tokens are valid for ${this.ttlSeconds} s). Nothing was deleted.`,
          { reason: 'expired', expiresAt: outcome.expiresAt },
        );
      }
    }
  }
}

function malformed(problem: NonNullable<ReturnType<typeof tokenProblem>>, token: string): ToolError {
  const paste = `Pass the token exactly as delete_record returned it (it starts with "${TOKEN_PREFIX}" and is ${TOKEN_LENGTH} characters long)`;
  const messages = {
    empty: `No confirmation token was given. ${paste}, or call delete_record first to get one.`,
    prefix: `This is not a delete confirmation token: it does not start with "${TOKEN_PREFIX}". ${paste}.`,
    characters: `This confirmation token contains characters no token has (after "${TOKEN_PREFIX}" only A-Z, a-z, 0-9, "-" and "_"). ${paste}.`,
    length: `This confirmation token has the wrong length (${token.length} characters instead of ${TOKEN_LENGTH}); it may have been cut off. ${paste}.`,
  };
  return new ToolError('invalid_input', messages[problem], { reason: `malformed_token_${problem}` });
}
