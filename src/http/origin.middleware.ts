import type { NextFunction, Request, Response } from 'express';
import { isLoopbackHost } from '../config';

/**
 * The MCP specification requires HTTP transports to validate `Origin` (403 for a foreign one):
 * browsers send it, so a web page cannot drive a local server. Requests without an Origin
 * (every non-browser MCP client) pass. A browser Origin passes when it is the server's own origin
 * or listed in MCP_ALLOWED_ORIGINS. When the server listens on loopback, the Host header must name
 * a loopback host too, which defeats DNS rebinding (evil.example resolving to 127.0.0.1).
 */
export function createOriginGuard(options: { allowedOrigins: string[]; loopbackOnly: boolean }) {
  const allowed = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  return function originGuard(req: Request, res: Response, next: NextFunction): void {
    const host = req.headers.host ?? '';
    if (options.loopbackOnly && !isLoopbackHost(hostnameOf(host))) {
      return forbid(res, `Host "${host}" is not accepted: this server listens on loopback only.`);
    }
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    const normalised = origin.toLowerCase().replace(/\/$/, '');
    if (allowed.has(normalised)) return next();
    let originHost: string | undefined;
    try {
      originHost = new URL(normalised).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== undefined && originHost === host.toLowerCase()) return next();
    forbid(res, `Origin "${origin}" is not allowed. Add it to MCP_ALLOWED_ORIGINS if this client is trusted.`);
  };
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function forbid(res: Response, message: string): void {
  res.status(403).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
}
