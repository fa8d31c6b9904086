import { randomUUID } from 'node:crypto';

/**
 * `$batch` bodies (Dataverse Web API, multipart/mixed): one batch holding one change set, so every request in it
 * succeeds or none does; each request carries `Content-ID: <n>` (1-based) so a failure can be traced to its row.
 */

export interface BatchRequest {
  method: 'POST' | 'PATCH' | 'DELETE';
  /** Absolute URL of the request. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchPart {
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or the text when it is not JSON. */
  body?: unknown;
}

/** One change set with the requests in order; Content-ID n is request n-1. */
export function changeSetBatch(requests: BatchRequest[]): { boundary: string; body: string } {
  const boundary = `batch_${randomUUID()}`;
  const changeset = `changeset_${randomUUID()}`;
  const parts = requests.map((r, i) => {
    const head = [
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      `Content-ID: ${i + 1}`,
      '',
      `${r.method} ${r.url} HTTP/1.1`,
    ];
    for (const [k, v] of Object.entries(r.headers ?? {})) head.push(`${k}: ${v}`);
    if (r.body !== undefined) head.push('Content-Type: application/json; type=entry');
    head.push('', r.body !== undefined ? JSON.stringify(r.body) : '');
    return head.join('\r\n');
  });
  const body = [
    `--${boundary}`,
    `Content-Type: multipart/mixed; boundary="${changeset}"`,
    '',
    ...parts,
    `--${changeset}--`,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { boundary, body };
}

/** The boundary of a `multipart/mixed; boundary=...` content type. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  return m?.[1];
}

/** Every HTTP response inside a batch answer (change sets flattened), in order. */
export function parseBatchResponse(text: string, contentType: string | undefined): BatchPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  const out: BatchPart[] = [];
  for (const raw of splitParts(text, boundary)) {
    const { headers, rest } = splitHeaders(raw);
    const type = headers['content-type'] ?? '';
    if (type.startsWith('multipart/mixed')) {
      out.push(...parseBatchResponse(rest, type));
      continue;
    }
    const part = parseHttpResponse(rest);
    if (!part) continue;
    if (headers['content-id'] !== undefined) part.contentId = headers['content-id'];
    out.push(part);
  }
  return out;
}

export function splitParts(text: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const pieces = text.split(delimiter);
  const parts: string[] = [];
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece.startsWith('--')) break;
    parts.push(piece.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}

/** MIME headers (lower-cased names) and what follows the blank line. */
export function splitHeaders(raw: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const rest = m ? raw.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return { headers, rest };
}

function parseHttpResponse(raw: string): BatchPart | undefined {
  const lineEnd = raw.search(/\r?\n/);
  const statusLine = lineEnd < 0 ? raw : raw.slice(0, lineEnd);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine.trim());
  if (!m) return undefined;
  const { headers, rest } = splitHeaders(lineEnd < 0 ? '' : raw.slice(lineEnd).replace(/^\r?\n/, ''));
  const text = rest.trim();
  let body: unknown;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: Number(m[1]), headers, body };
}

/** `{"error":{"message"}}` of a failed part, or its text. */
export function partMessage(part: BatchPart): string | undefined {
  const b = part.body as { error?: { message?: unknown } } | string | undefined;
  if (typeof b === 'string') return b.slice(0, 500);
  const msg = b?.error?.message;
  return typeof msg === 'string' ? msg : undefined;
}
