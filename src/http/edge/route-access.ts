import type { Request } from 'express';
import { PROTECTED_RESOURCE_PATH } from '../protected-resource';

/**
 * The only routes that answer without a token in multi-user mode, matched exactly (case, slashes and all)
 * and only for GET/HEAD. Everything else needs a valid token, whatever the router would make of its path.
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  '/healthz',
  '/readyz',
  PROTECTED_RESOURCE_PATH,
  `${PROTECTED_RESOURCE_PATH}/mcp`,
  `${PROTECTED_RESOURCE_PATH}/sse`,
]);

export const SSE_ROUTE = '/sse';
export const MESSAGES_ROUTE = '/messages';

export function isPublicRoute(req: Pick<Request, 'method' | 'path'>): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && PUBLIC_ROUTES.has(req.path);
}

/**
 * The path as the most lenient router could read it: percent-decoded, lower case, `;` parameters dropped,
 * repeated and trailing slashes folded, `.` and `..` segments resolved. Used to recognise the SSE routes
 * however they are spelled, so session checks never depend on the router agreeing with us.
 */
export function canonicalPath(path: string): string {
  let decoded = path;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      break;
    }
    if (next === decoded) break;
    decoded = next;
  }
  const segments: string[] = [];
  for (const raw of decoded.replace(/\\/g, '/').split('/')) {
    const segment = raw.split(';')[0].trim().toLowerCase();
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** The session a request names (`?sessionId=`), or `''` when it names none or several. */
export function sessionIdOf(req: Pick<Request, 'query'>): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.sessionId;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : '';
}
