import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import { type ConsumeOutcome, type ProposalStore, ProposalStoreUnavailableError, type StoredProposal } from './proposal.types';

/** Any connected node-redis v5 client, whatever modules, scripts or RESP version it was created with. */
export type ProposalsRedisClient = RedisClientType<any, any, any, any, any>;

export const PROPOSAL_KEY_PREFIX = 'mcp:proposal:';
export const PROPOSAL_STATE_KEY_PREFIX = 'mcp:proposal-state:';

/** Default bound on each Redis call, so a dead Redis fails fast instead of waiting in the offline queue. */
export const DEFAULT_REDIS_TIMEOUT_MS = 1000;

interface LuaScript {
  name: string;
  source: string;
  sha1: string;
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS[1] proposal hash, KEYS[2] tombstone hash.
 * ARGV: userKey, proposal JSON, expiresAt, proposal TTL ms, tombstone TTL ms.
 * Sets both keys with their TTLs, or nothing when either already exists.
 */
const CREATE = script(
  'create',
  `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'userKey', ARGV[1], 'proposal', ARGV[2], 'expiresAt', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[2], 'userKey', ARGV[1], 'expiresAt', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
`,
);

/**
 * KEYS[1] proposal hash, KEYS[2] tombstone hash. ARGV: userKey, usedAt, tombstone TTL ms (if it must be recreated).
 * The proposal exists and belongs to this user → delete it, mark the tombstone used, return {'ok', proposal};
 * otherwise change nothing and return why: {'forbidden'} | {'used', usedAt} | {'expired', expiresAt} | {'unknown'}.
 */
const CONSUME = script(
  'consume',
  `
local owner = redis.call('HGET', KEYS[1], 'userKey')
if owner then
  if owner ~= ARGV[1] then
    return {'forbidden'}
  end
  local fields = redis.call('HMGET', KEYS[1], 'proposal', 'expiresAt')
  redis.call('DEL', KEYS[1])
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('HSET', KEYS[2], 'userKey', owner, 'expiresAt', fields[2])
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
  end
  redis.call('HSET', KEYS[2], 'usedAt', ARGV[2])
  return {'ok', fields[1]}
end
local state = redis.call('HMGET', KEYS[2], 'userKey', 'expiresAt', 'usedAt')
if not state[1] then
  return {'unknown'}
end
if state[1] ~= ARGV[1] then
  return {'forbidden'}
end
if state[3] then
  return {'used', state[3]}
end
return {'expired', state[2]}
`,
);

export interface RedisProposalStoreOptions {
  /** Bound on each Redis call in ms (default {@link DEFAULT_REDIS_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Tombstone TTL used if a tombstone has to be recreated at consumption (default 24 h). */
  tombstoneTtlMs?: number;
}

/**
 * Delete proposals in Redis under `mcp:proposal:<sha256(token)>`, with a tombstone under
 * `mcp:proposal-state:<sha256(token)>`. Creation and consumption are each one Lua script (EVALSHA, falling
 * back to EVAL on NOSCRIPT), so they are atomic across every replica sharing the Redis.
 * Takes an already connected client; never connects, quits or closes it.
 */
export class RedisProposalStore implements ProposalStore {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger(RedisProposalStore.name);
  private readonly timeoutMs: number;
  private readonly tombstoneTtlMs: number;

  constructor(
    private readonly client: ProposalsRedisClient,
    options: RedisProposalStoreOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.tombstoneTtlMs = options.tombstoneTtlMs ?? 24 * 3600_000;
  }

  async create(hash: string, entry: StoredProposal): Promise<void> {
    const reply = await this.run(CREATE, keysFor(hash), [
      entry.userKey,
      entry.proposal,
      entry.expiresAt,
      String(Math.max(1, Math.ceil(entry.ttlMs))),
      String(Math.max(1, Math.ceil(Math.max(entry.tombstoneTtlMs, entry.ttlMs)))),
    ]);
    // 256 random bits do not collide; refuse rather than overwrite.
    if (Number(reply) !== 1) throw new Error('a proposal with this token hash already exists');
  }

  async consume(hash: string, userKey: string, usedAt: string): Promise<ConsumeOutcome> {
    const reply = await this.run(CONSUME, keysFor(hash), [userKey, usedAt, String(this.tombstoneTtlMs)]);
    if (!Array.isArray(reply) || reply.length === 0) throw new Error(`unexpected reply from the consume script`);
    const [status, value] = reply.map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part)));
    switch (status) {
      case 'ok':
        return { status: 'ok', proposal: value };
      case 'forbidden':
        return { status: 'forbidden' };
      case 'used':
        return { status: 'used', usedAt: value };
      case 'expired':
        return { status: 'expired', expiresAt: value };
      case 'unknown':
        return { status: 'unknown' };
      default:
        throw new Error(`unexpected status from the consume script: ${status}`);
    }
  }

  /** EVALSHA, then EVAL on NOSCRIPT (which also caches the script), the whole bounded by the timeout. */
  private async run(lua: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    // The signal takes a command still waiting in the offline queue out of it, so that a consumption reported
    // as failed cannot run later when Redis comes back. (It has to be passed to sendCommand itself:
    // node-redis 5 ignores `withAbortSignal` proxies for raw sendCommand calls.)
    const signal = AbortSignal.timeout(this.timeoutMs);
    const tail = [String(keys.length), ...keys, ...args];
    const call = async () => {
      try {
        return await this.client.sendCommand(['EVALSHA', lua.sha1, ...tail], { abortSignal: signal });
      } catch (err) {
        if (!isNoScript(err)) throw err;
        return await this.client.sendCommand(['EVAL', lua.source, ...tail], { abortSignal: signal });
      }
    };
    let timer: NodeJS.Timeout | undefined;
    // Backstop in case a call does not honour the abort signal (e.g. one already written to a dead socket).
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs + 50);
      timer.unref();
    });
    try {
      return await Promise.race([call(), deadline]);
    } catch (err) {
      const reason = signal.aborted ? `no answer within ${this.timeoutMs} ms` : describe(err);
      this.logger.warn(`Redis ${lua.name} script failed: ${reason}`);
      throw new ProposalStoreUnavailableError(`Redis gave no answer to the ${lua.name} script: ${reason}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}

function keysFor(hash: string): string[] {
  return [PROPOSAL_KEY_PREFIX + hash, PROPOSAL_STATE_KEY_PREFIX + hash];
}

function isNoScript(err: unknown): boolean {
  return typeof (err as Error)?.message === 'string' && (err as Error).message.startsWith('NOSCRIPT');
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
