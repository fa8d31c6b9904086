import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { cacheKeys } from '../../../cache/cache-keys';
import { CacheService } from '../../../cache/cache.service';
import { ToolError } from '../../../common/tool-error';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { CursorState } from './cursor-state';

/** A cursor is 16 random bytes, base64url: 22 characters. */
const CURSOR_ID = /^[A-Za-z0-9_-]{22}$/;
/** Longest cursor argument list_records accepts. */
export const MAX_CURSOR_LENGTH = 128;

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

  async save(envHost: string, userKey: string, state: CursorState): Promise<string> {
    const id = randomBytes(16).toString('base64url');
    await this.cache.set(cacheKeys.cursor(envHost, userKey, id), state, this.config.cursorTtlSeconds);
    return id;
  }

  /** The stored state (still to be re-validated by the caller); an unknown, expired or foreign id → the expired error. */
  async load(envHost: string, userKey: string, cursor: string): Promise<unknown> {
    if (!CURSOR_ID.test(cursor)) throw expiredCursor();
    const state = await this.cache.get<unknown>(cacheKeys.cursor(envHost, userKey, cursor));
    if (state === undefined) throw expiredCursor();
    return state;
  }
}
