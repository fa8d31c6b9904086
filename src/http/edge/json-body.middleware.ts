import type { NextFunction, Request, Response } from 'express';
import { jsonShapeProblem } from './json-depth';
import { INVALID_REQUEST, PARSE_ERROR, sendJsonRpcError } from './json-rpc-error';
import { MAX_BATCH_MESSAGES, MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_JSON_ITEMS } from './limits';

export interface JsonBodyLimits {
  maxBytes: number;
  maxDepth: number;
  maxItems: number;
  maxBatch: number;
}

const DEFAULT_LIMITS: JsonBodyLimits = {
  maxBytes: MAX_BODY_BYTES,
  maxDepth: MAX_JSON_DEPTH,
  maxItems: MAX_JSON_ITEMS,
  maxBatch: MAX_BATCH_MESSAGES,
};

/** A body-parser failure: its `type` says which. */
type ParserError = Error & { type?: string };

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Parses JSON request bodies (any content type naming json) within the edge's limits, before any MCP code
 * sees them: nesting is measured on the raw text first, so a hostile body is refused in one linear scan.
 * Every refusal is a JSON-RPC error body: invalid JSON -32700 (400); -32600 for a body too large or holding
 * too many values (413), nested too deep (400), a batch with too many messages (413) or a charset other
 * than UTF-8 (415).
 */
export function createJsonBody(overrides: Partial<JsonBodyLimits> = {}) {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  // Loaded here, not with the module: only the HTTP transports parse bodies, and stdio start-up skips Express.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require('express') as typeof import('express');
  const parse = express.json({
    limit: limits.maxBytes,
    type: (req) => /json/i.test(String(req.headers['content-type'] ?? '')),
    verify: (_req, _res, body, encoding) => {
      if (!/^utf-?8$/i.test(encoding)) throw Object.assign(new Error('charset'), { type: 'charset.not.utf8', status: 415 });
      const problem = jsonShapeProblem(body, limits);
      if (problem) throw Object.assign(new Error(problem), { type: `entity.shape.${problem}`, status: 400 });
    },
  });
  return function jsonBody(req: Request, res: Response, next: NextFunction): void {
    parse(req, res, (err?: unknown) => {
      if (err) return refuse(err as ParserError, res, next, limits);
      const body: unknown = req.body;
      if (Array.isArray(body) && body.length > limits.maxBatch) return refuseBatch(res, limits);
      next();
    });
  };
}

function refuseBatch(res: Response, limits: JsonBodyLimits): void {
  sendJsonRpcError(
    res,
    413,
    INVALID_REQUEST,
    `Invalid Request: a JSON-RPC batch holds at most ${limits.maxBatch} messages; send them in smaller batches.`,
  );
}

function refuse(err: ParserError, res: Response, next: NextFunction, limits: JsonBodyLimits): void {
  switch (err.type) {
    case 'entity.parse.failed':
    case 'entity.shape.syntax':
      return sendJsonRpcError(
        res,
        400,
        PARSE_ERROR,
        'Parse error: the request body is not valid JSON (a JSON-RPC message is an object, a batch an array).',
      );
    case 'entity.too.large':
      return sendJsonRpcError(
        res,
        413,
        INVALID_REQUEST,
        `Invalid Request: the request body is larger than ${mb(limits.maxBytes)}; send less data per call.`,
      );
    case 'entity.shape.depth':
      return sendJsonRpcError(
        res,
        400,
        INVALID_REQUEST,
        `Invalid Request: the request body nests arrays and objects deeper than ${limits.maxDepth.toLocaleString('en')} levels; flatten the arguments.`,
      );
    case 'entity.shape.items':
      return sendJsonRpcError(
        res,
        413,
        INVALID_REQUEST,
        `Invalid Request: the request body holds more than ${limits.maxItems.toLocaleString('en')} values; send less data per call.`,
      );
    case 'entity.shape.batch':
      return refuseBatch(res, limits);
    case 'charset.not.utf8':
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return sendJsonRpcError(
        res,
        415,
        INVALID_REQUEST,
        'Invalid Request: send the body as UTF-8 JSON (gzip, deflate or br encoding is fine).',
      );
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return sendJsonRpcError(res, 400, INVALID_REQUEST, 'Invalid Request: the request body could not be read completely.');
    default:
      next(err);
  }
}
