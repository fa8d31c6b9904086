import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { cacheKeys } from '../../../cache/cache-keys';
import { CacheService } from '../../../cache/cache.service';
import { ToolError } from '../../../common/tool-error';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { CursorState } from './cursor-state';

/** A cursor is 16 random bytes, base64url: 22 characters. */
const CURSOR_ID = /^[A-Za-z0-9_-]{22}$/;

/** Random bytes drawn 64 cursors at a time (one call into the CSPRNG instead of one per page); each byte used once. */
const ID_BYTES = 16;
let pool = Buffer.alloc(0);
let used = 0;
function cursorId(): string {
  if (used + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * 64);
    used = 0;
  }
  const id = pool.toString('base64url', used, used + ID_BYTES);
  used += ID_BYTES;
  return id;
}
/** Longest cursor argument list_records accepts. */
export const MAX_CURSOR_LENGTH = 128;

/**
 * Live cursors one user keeps in memory mode (Redis holds its own and expires them): a model paging through results
 * needs a handful, so past this the oldest go (and read as expired), and one user's flood of list calls cannot push
 * other users' entries out of the shared in-memory cache.
 */
export const MAX_CURSORS_PER_USER = 1000;
/** Users whose cursor order is remembered at once (memory mode); past it the longest-unused user's order goes. */
const MAX_TRACKED_USERS = 10_000;

const EXPIRED = 'This page cursor expired (or is not yours); run the query again without cursor.';

export function expiredCursor(): ToolError {
  return new ToolError('invalid_input', EXPIRED);
}

/**
 * Keeps list_records paging state on the server: `nextCursor` is a random id, the state lives in the cache
 * (memory, or Redis so any replica can continue) under the user's own key prefix for `CURSOR_TTL_SECONDS`.
 * Another user's id is simply not found under this user's prefix, so it reads as expired and reveals nothing.
 */
@Injectable()
export class CursorStore {
  constructor(
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'cursorTtlSeconds'>,
  ) {}

  /** Memory mode: each user's cursor keys, oldest first (Map order: the least recently saving user first). */
  private readonly recent = new Map<string, string[]>();

  async save(envHost: string, userKey: string, state: CursorState): Promise<string> {
    const id = cursorId();
    const key = cacheKeys.cursor(envHost, userKey, id);
    await this.cache.set(key, state, this.config.cursorTtlSeconds);
    if (this.cache.kind === 'memory') await this.remember(`${envHost} ${userKey}`, key);
    return id;
  }

  private async remember(user: string, key: string): Promise<void> {
    const keys = this.recent.get(user) ?? [];
    this.recent.delete(user);
    this.recent.set(user, keys);
    keys.push(key);
    if (keys.length > MAX_CURSORS_PER_USER) await this.cache.delete(keys.shift()!);
    if (this.recent.size > MAX_TRACKED_USERS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** The stored state (still to be re-validated by the caller); an unknown, expired or foreign id → the expired error. */
  async load(envHost: string, userKey: string, cursor: string): Promise<unknown> {
    if (!CURSOR_ID.test(cursor)) throw expiredCursor();
    const state = await this.cache.get<unknown>(cacheKeys.cursor(envHost, userKey, cursor));
    if (state === undefined) throw expiredCursor();
    return state;
  }
}
