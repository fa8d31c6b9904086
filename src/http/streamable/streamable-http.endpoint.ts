import { Logger } from '@nestjs/common';
import type { Express, Request, Response } from 'express';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpDispatcher, JsonRpcAnswer } from '../../mcp/dispatch/mcp-dispatcher';
import { isPlainRequest } from '../../mcp/dispatch/json-rpc-shape';
import { serializeAnswer } from '../../mcp/dispatch/serialize-answer';

const logger = new Logger('McpHttp');

/** The SDK's batch limit; the edge's own limit (32, src/http/edge/limits.ts) applies before it. */
const MAX_BATCH = 100;

/**
 * Streamable HTTP at `/mcp`, stateless, answered with JSON (never an SSE stream): every POST is complete in itself, so
 * each tool call runs with its own request and token, on any replica. The HTTP checks are the SDK transport's, in its
 * order and with its messages (Accept, Content-Type, JSON-RPC shape, one initialize per body, MCP-Protocol-Version;
 * only notifications → 202); GET and DELETE get 405 as in the SDK's stateless mode. The requests are answered by the
 * shared {@link McpDispatcher}. Mounted after the edge (Origin/Host, bearer, body limits), like the routes it replaces.
 */
export function mountStreamableHttp(app: Express, path: string, dispatcher: McpDispatcher): void {
  app.post(path, (req, res) => {
    handlePost(req, res, dispatcher).catch(() => {
      if (!res.headersSent) sendError(res, 500, -32603, 'Internal server error');
    });
  });
  const notAllowed = (_req: Request, res: Response) => sendError(res, 405, -32000, 'Method not allowed in stateless mode');
  app.get(path, notAllowed);
  app.delete(path, notAllowed);
}

async function handlePost(req: Request, res: Response, dispatcher: McpDispatcher): Promise<void> {
  const accept = req.headers.accept;
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) {
    return sendError(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
  }
  if (!isJsonContentType(req.headers['content-type'])) {
    return sendError(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
  }
  const body: unknown = req.body;
  // The edge parser leaves no body only when there was none to parse.
  if (body === undefined) return sendError(res, 400, -32700, 'Parse error: Invalid JSON');
  if (Array.isArray(body) && body.length > MAX_BATCH) {
    return sendError(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`);
  }
  const raw = Array.isArray(body) ? body : [body];
  const requests: JSONRPCRequest[] = [];
  let initializing = false;
  for (const message of raw) {
    if (isPlainRequest(message)) {
      requests.push(message);
      if (message.method === 'initialize' && isInitializeRequest(message)) initializing = true;
      continue;
    }
    const parsed = JSONRPCMessageSchema.safeParse(message);
    if (!parsed.success) return sendError(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    if (isJSONRPCRequest(parsed.data)) requests.push(parsed.data);
    if (isInitializeRequest(parsed.data)) initializing = true;
  }
  if (initializing && raw.length > 1) {
    return sendError(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
  }
  if (!initializing) {
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return sendError(
        res,
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      );
    }
  }
  // Notifications and responses need no answer (and have nothing to act on without a session).
  if (requests.length === 0) {
    res.status(202).end();
    return;
  }
  const answers: JsonRpcAnswer[] = await Promise.all(requests.map((request) => dispatcher.answer(request, { req, scope: req })));
  res
    .status(200)
    .setHeader('Content-Type', 'application/json')
    .end(answers.length === 1 ? serializeAnswer(answers[0]) : `[${answers.map(serializeAnswer).join(',')}]`);
}

/** `application/json` with or without parameters, as the SDK reads Content-Type (the media type, not a substring). */
function isJsonContentType(header: string | undefined): boolean {
  if (header === 'application/json') return true;
  return (header ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

function sendError(res: Response, status: number, code: number, message: string): void {
  // A refused request leaves a line (method, path, status, the fixed message; never headers or body), as the HTTP
  // request log does for other routes; answered calls leave their audit event instead.
  const req = res.req;
  const line = { req: { method: req.method, url: req.originalUrl.split('?')[0] }, statusCode: status };
  if (status >= 500) logger.error({ ...line, msg: message });
  else logger.warn({ ...line, msg: message });
  res
    .status(status)
    .setHeader('Content-Type', 'application/json')
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
