import type { NextFunction, Request, Response } from 'express';
import { sendJsonRpcError, SERVER_ERROR } from './json-rpc-error';
import { canonicalPath, SSE_ROUTE } from './route-access';

export interface SseSessionLimits {
  /** Most SSE streams open at once. */
  total: number;
  /** Most SSE streams one user holds open at once. */
  perUser: number;
  /** The user a request belongs to; undefined in single-user mode (only the total applies). */
  userOf(req: Request): string | undefined;
}

/**
 * Caps open SSE sessions: a `GET /sse` (in any spelling) over the limit gets 429 with a JSON-RPC error body
 * before a session exists; `HEAD /sse` gets 405 (it would open a session that never answers). A stream counts from the request until its connection closes, so nothing is left
 * counted once a client goes away.
 */
export function createSseSessionLimit(limits: SseSessionLimits) {
  let open = 0;
  const perUser = new Map<string, number>();
  const middleware = function sseSessionLimit(req: Request, res: Response, next: NextFunction): void {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || canonicalPath(req.path) !== SSE_ROUTE) return next();
    if (req.method === 'HEAD') {
      // The router would run the GET handler: a session that never answers (no body) and is never counted.
      res.setHeader('Allow', 'GET');
      return sendJsonRpcError(res, 405, SERVER_ERROR, 'Method not allowed: open an SSE session with GET.');
    }
    const user = limits.userOf(req);
    const mine = user === undefined ? 0 : (perUser.get(user) ?? 0);
    if (open >= limits.total) {
      res.setHeader('Retry-After', '30');
      return sendJsonRpcError(
        res,
        429,
        SERVER_ERROR,
        `Too many open SSE sessions on this server (limit ${limits.total}). Close an unused session or use Streamable HTTP (/mcp), then retry.`,
      );
    }
    if (user !== undefined && mine >= limits.perUser) {
      res.setHeader('Retry-After', '30');
      return sendJsonRpcError(
        res,
        429,
        SERVER_ERROR,
        `Too many open SSE sessions for this user (limit ${limits.perUser}). Close one of your sessions, then retry.`,
      );
    }
    open++;
    if (user !== undefined) perUser.set(user, mine + 1);
    res.once('close', () => {
      open--;
      if (user === undefined) return;
      const left = (perUser.get(user) ?? 1) - 1;
      if (left > 0) perUser.set(user, left);
      else perUser.delete(user);
    });
    next();
  };
  return Object.assign(middleware, {
    /** Streams counted now, and users holding at least one (for tests and diagnostics). */
    stats: () => ({ open, users: perUser.size }),
  });
}
