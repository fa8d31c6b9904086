import type { Response } from 'express';

/** JSON-RPC error codes the edge answers with. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const SERVER_ERROR = -32000;

/** Answers a request the edge refused with a JSON-RPC error body (id null: the request was never read as a call). */
export function sendJsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}
