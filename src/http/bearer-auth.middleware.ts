import type { NextFunction, Request, Response } from 'express';
import type { LoggerService } from '@nestjs/common';
import { EntraTokenValidator, EntraUser, SigningKeysUnavailableError, TokenRejectedError } from '../auth/obo/entra-token-validator';
import { canonicalPath, isPublicRoute, MESSAGES_ROUTE, sessionIdOf, SSE_ROUTE } from './edge/route-access';

/**
 * Which user opened which SSE session. A stateful MCP session runs its tools with the request that opened
 * it, so a message for a session must come from the same user (checked on every `POST /messages`).
 * In-process only, like the sessions themselves: SSE needs sticky sessions behind a load balancer.
 */
export class SessionBindings {
  private readonly owners = new Map<string, string>();

  bind(sessionId: string, userKey: string): void {
    this.owners.set(sessionId, userKey);
  }

  owner(sessionId: string): string | undefined {
    return this.owners.get(sessionId);
  }

  release(sessionId: string): void {
    this.owners.delete(sessionId);
  }

  get size(): number {
    return this.owners.size;
  }
}

export interface BearerAuthOptions {
  validator: EntraTokenValidator;
  /** `<MCP_BASE_URL>/.well-known/oauth-protected-resource` */
  metadataUrl: string;
  bindings: SessionBindings;
  logger?: LoggerService;
}

const users = new WeakMap<Request, EntraUser>();

/** The user whose token this request carried (after the bearer check). */
export function authenticatedUser(req: Request): EntraUser | undefined {
  return users.get(req);
}

function bearerOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return m?.[1];
}

/** A quoted-string for WWW-Authenticate (RFC 7235): no quotes or backslashes inside, printable ASCII. */
const quoted = (value: string) => `"${value.replace(/[\\"]/g, '').replace(/[^\x20-\x7e]/g, '')}"`;

function reject(res: Response, status: number, challenge: Record<string, string>, message: string): void {
  const params = Object.entries(challenge)
    .map(([k, v]) => `${k}=${quoted(v)}`)
    .join(', ');
  res.setHeader('WWW-Authenticate', `Bearer ${params}`);
  res.status(status).json({ jsonrpc: '2.0', error: { code: -32001, message }, id: null });
}

/**
 * Multi-user mode, deny by default: every request except the public routes ({@link isPublicRoute}: health
 * probes and the RFC 9728 metadata, matched exactly) must carry a valid Entra access token for this server
 * (see {@link EntraTokenValidator}); otherwise 401 (403 for a missing scope) with
 * `WWW-Authenticate: Bearer resource_metadata="..."`, and the request never reaches a tool (nor Dataverse).
 * Also binds each SSE session to the user who opened it and refuses another user's messages for it, on
 * every request that names a session or whose path reads as the messages route in any spelling.
 */
export function createBearerAuth(options: BearerAuthOptions) {
  const { validator, metadataUrl, bindings, logger } = options;
  return async function bearerAuth(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (isPublicRoute(req)) return next();
    const token = bearerOf(req);
    if (!token) {
      return reject(
        res,
        401,
        { resource_metadata: metadataUrl },
        `Unauthorized: this server needs a Microsoft Entra access token (Authorization: Bearer) with the scope ${validator.requiredScope}.`,
      );
    }
    let user: EntraUser;
    try {
      user = await validator.validate(token);
    } catch (err) {
      if (err instanceof TokenRejectedError && err.code === 'insufficient_scope') {
        return reject(
          res,
          403,
          {
            error: 'insufficient_scope',
            scope: validator.requiredScope,
            error_description: err.description,
            resource_metadata: metadataUrl,
          },
          `Forbidden: ${err.description}`,
        );
      }
      if (err instanceof TokenRejectedError) {
        return reject(
          res,
          401,
          { error: 'invalid_token', error_description: err.description, resource_metadata: metadataUrl },
          `Unauthorized: ${err.description}`,
        );
      }
      const reason = err instanceof SigningKeysUnavailableError ? err.message : 'the token could not be checked';
      logger?.warn?.(`Bearer token check failed: ${err instanceof Error ? err.message : String(err)}`);
      res.setHeader('Retry-After', '5');
      res
        .status(503)
        .json({ jsonrpc: '2.0', error: { code: -32000, message: `Service unavailable: ${reason} Retry in a moment.` }, id: null });
      return;
    }
    users.set(req, user);

    const path = canonicalPath(req.path);
    const named = sessionIdOf(req);
    if (named !== undefined || path === MESSAGES_ROUTE || path.startsWith(`${MESSAGES_ROUTE}/`)) {
      const sessionId = named ?? '';
      const owner = bindings.owner(sessionId);
      if (!owner) {
        res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
      if (owner !== user.userKey) {
        logger?.warn?.(`Refused a message for SSE session ${sessionId}: it belongs to user ${owner}, the token is user ${user.userKey}.`);
        res.status(403).json({
          jsonrpc: '2.0',
          error: { code: -32001, message: 'Forbidden: this MCP session was opened by another user. Open your own session (GET /sse).' },
          id: null,
        });
        return;
      }
    } else if (req.method === 'GET' && path === SSE_ROUTE) {
      bindSseSession(res, user.userKey, bindings);
    }
    next();
  };
}

/**
 * The SSE transport announces its session id in the stream's first event (`event: endpoint` with
 * `data: /messages?sessionId=<id>`): bind that id to the user before the client can learn it.
 */
function bindSseSession(res: Response, userKey: string, bindings: SessionBindings): void {
  const original = res.write.bind(res) as (...args: unknown[]) => boolean;
  let sessionId: string | undefined;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!sessionId && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      const match = /sessionId=([A-Za-z0-9_-]+)/.exec(chunk.toString());
      if (match) {
        sessionId = match[1];
        bindings.bind(sessionId, userKey);
      }
    }
    return original(chunk, ...rest);
  }) as Response['write'];
  res.once('close', () => {
    if (sessionId) bindings.release(sessionId);
  });
}
