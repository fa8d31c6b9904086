import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { ExecutedHostileKind, HostileKind } from '../types';

/**
 * Answers no real Dataverse gives, for testing a client's defences (fault `hostileResponses`). Most replace the
 * request (nothing is executed); the executed kinds run it and then spoil its answer (`spoilAnswer`).
 */

export function isExecutedKind(kind: HostileKind): kind is ExecutedHostileKind {
  return kind === 'truncatedSuccess' || kind === 'foreignNextLink' || kind === 'strayNextLink';
}

const JSON_TYPE = 'application/json; odata.metadata=minimal';
const MB = 1024 * 1024;
/** What the gzip bomb inflates to, and how much the huge page sends. */
export const GZIP_BOMB_BYTES = 1024 * MB;
export const HUGE_PAGE_BYTES = 80 * MB;

let bomb: Buffer | undefined;

/** Concatenated gzip members (a valid gzip stream) of 1 MB of JSON whitespace each: ~1 MB that inflates to 1 GB. */
function gzipBomb(): Buffer {
  if (!bomb) {
    const member = gzipSync(Buffer.alloc(MB, 0x20), { level: 9 });
    bomb = Buffer.concat(Array.from({ length: GZIP_BOMB_BYTES / MB }, () => member));
  }
  return bomb;
}

/** Streams `{"value":[` + `bytes` of whitespace + `]}` with backpressure, stopping when the client goes away. */
function hugePage(res: ServerResponse, bytes: number): void {
  const chunk = Buffer.alloc(MB, 0x20);
  let sent = 0;
  const pump = () => {
    while (!res.destroyed && sent < bytes) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end(']}');
  };
  res.on('error', () => undefined);
  res.write('{"value":[');
  pump();
}

/** Writes a hostile answer in place of the request's own (every kind except `truncatedSuccess`). */
export function sendHostile(res: ServerResponse, kind: Exclude<HostileKind, ExecutedHostileKind>, headers: Record<string, string>): void {
  res.on('error', () => undefined);
  switch (kind) {
    case 'gzipBomb': {
      const body = gzipBomb();
      res.writeHead(200, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    case 'hugePage':
      res.writeHead(200, { ...headers, 'Content-Type': JSON_TYPE });
      hugePage(res, HUGE_PAGE_BYTES);
      return;
    case 'html': {
      const body = '<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><form></form></body></html>';
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    case 'nullValue': {
      const body = '{"@odata.context":"$metadata#x","value":null}';
      res.writeHead(200, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    case 'emptyBody':
      res.writeHead(200, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': '0' });
      res.end();
      return;
  }
}

/**
 * The executed request's answer cut in half (a complete HTTP message whose JSON ends early), or, for an
 * answer without a body, a 200 with the start of one.
 */
export function truncateBody(status: number, body: string | undefined): { status: number; body: string } {
  if (!body) return { status: status === 204 ? 200 : status, body: '{"@odata.context":"' };
  return { status, body: body.slice(0, Math.max(1, Math.floor(body.length / 2))) };
}

/**
 * An executed answer spoiled by `kind`: cut in half (`truncateBody`), or with its `@odata.nextLink` (when it has
 * one) sent to another host or to another table of this API (`apiUrl`).
 */
export function spoilAnswer(
  kind: ExecutedHostileKind,
  status: number,
  body: string | undefined,
  apiUrl: string,
): { status: number; body: string | undefined } {
  if (kind === 'truncatedSuccess') return truncateBody(status, body);
  if (!body) return { status, body };
  const parsed = JSON.parse(body) as Record<string, unknown>;
  const next = parsed['@odata.nextLink'];
  if (typeof next !== 'string') return { status, body };
  const token = next.slice(next.indexOf('$skiptoken='));
  parsed['@odata.nextLink'] =
    kind === 'foreignNextLink' ? `https://elsewhere.example/api/data/v9.2/contacts?${token}` : `${apiUrl}systemusers?$top=5000&${token}`;
  return { status, body: JSON.stringify(parsed) };
}
