import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors';
import { ApiResult } from '../handlers/context';

/**
 * `POST $batch` (multipart/mixed). Requests outside change sets run one by one and the batch stops at the first
 * failure unless `Prefer: odata.continue-on-error`; a change set is atomic: on a failure the store goes back to
 * how it was before the change set, and the answer holds only the failing request. At most 1000 requests, no
 * nesting of change sets, no GET inside a change set, `$<Content-ID>` refers to a URI created earlier in the same
 * change set. Answers are `batchresponse_`/`changesetresponse_` multiparts echoing Content-ID.
 */

export const MAX_BATCH_REQUESTS = 1000;

export interface PartRequest {
  method: string;
  /** Path after the API root (`contacts`, `accounts(<id>)/...`) and the raw query. */
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface BatchDeps {
  apiUrl: string;
  /** Runs one request against the store (throws ApiError on failure). */
  execute(req: PartRequest): ApiResult;
  /** Saves the store; the returned function puts it back. */
  checkpoint(): () => void;
}

interface ParsedRequest extends PartRequest {
  contentId?: string;
}

type Item = { kind: 'request'; req: ParsedRequest } | { kind: 'changeset'; reqs: ParsedRequest[] };

interface PartAnswer {
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const bad = (message: string) => new ApiError(400, '0x80048d19', message);

export function handleBatch(contentType: string | undefined, text: string, continueOnError: boolean, deps: BatchDeps): ApiResult {
  const boundary = boundaryOf(contentType);
  if (!contentType?.toLowerCase().startsWith('multipart/mixed') || !boundary) {
    throw bad("The batch request must have a 'Content-Type: multipart/mixed; boundary=...' header.");
  }
  const items = parseItems(text, boundary, deps.apiUrl);
  const count = items.reduce((n, it) => n + (it.kind === 'request' ? 1 : it.reqs.length), 0);
  if (count > MAX_BATCH_REQUESTS) {
    throw bad(`The number of requests in the batch (${count}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  }
  const out: string[] = [];
  const outBoundary = `batchresponse_${randomUUID()}`;
  let failed = false;
  for (const item of items) {
    if (item.kind === 'request') {
      const a = run(item.req, deps, new Map());
      out.push(renderPart(a));
      if (a.status >= 400) {
        failed = true;
        if (!continueOnError) break;
      }
      continue;
    }
    const restore = deps.checkpoint();
    const created = new Map<string, string>();
    const answers: PartAnswer[] = [];
    let failure: PartAnswer | undefined;
    for (const req of item.reqs) {
      const a = run(req, deps, created);
      if (a.status >= 400) {
        failure = a;
        break;
      }
      answers.push(a);
    }
    const csBoundary = `changesetresponse_${randomUUID()}`;
    if (failure) {
      restore();
      failed = true;
      out.push(renderChangeSet(csBoundary, [failure]));
      if (!continueOnError) break;
    } else out.push(renderChangeSet(csBoundary, answers));
  }
  const body = out.map((p) => `--${outBoundary}\r\n${p}\r\n`).join('') + `--${outBoundary}--\r\n`;
  return {
    status: failed && !continueOnError ? 400 : 200,
    text: body,
    contentType: `multipart/mixed; boundary=${outBoundary}`,
    headers: continueOnError ? { 'Preference-Applied': 'odata.continue-on-error' } : undefined,
  };
}

function run(req: ParsedRequest, deps: BatchDeps, created: Map<string, string>): PartAnswer {
  const headers: Record<string, string> = {};
  try {
    let path = req.path;
    const ref = /^\$(\d+)(.*)$/.exec(path);
    if (ref) {
      const target = created.get(ref[1]);
      if (!target) throw bad(`Content-ID Reference: '$${ref[1]}' does not exist in the batch context.`);
      path = target + ref[2];
    }
    const result = deps.execute({ ...req, path });
    Object.assign(headers, result.headers ?? {});
    const entityId = headers['OData-EntityId'];
    if (req.contentId !== undefined && entityId) created.set(req.contentId, entityId.slice(deps.apiUrl.length));
    if (entityId && req.method === 'POST') headers.Location = entityId;
    let body: string | undefined;
    if (result.json !== undefined || result.body !== undefined) {
      headers['Content-Type'] = 'application/json; odata.metadata=minimal';
      body = result.json ?? JSON.stringify(result.body);
    } else if (result.text !== undefined) {
      headers['Content-Type'] = 'text/plain';
      body = result.text;
    }
    return { contentId: req.contentId, status: result.status, headers, body };
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, '0x80040216', 'An unexpected error occurred.');
    return {
      contentId: req.contentId,
      status: err.status,
      headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...err.headers },
      body: JSON.stringify({ error: { code: err.code, message: err.message } }),
    };
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  500: 'Internal Server Error',
};

function renderPart(a: PartAnswer): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (a.contentId !== undefined) lines.push(`Content-ID: ${a.contentId}`);
  lines.push('', `HTTP/1.1 ${a.status} ${REASONS[a.status] ?? 'Status'}`);
  for (const [k, v] of Object.entries(a.headers)) lines.push(`${k}: ${v}`);
  lines.push('', a.body ?? '');
  return lines.join('\r\n');
}

function renderChangeSet(boundary: string, answers: PartAnswer[]): string {
  const inner = answers.map((a) => `--${boundary}\r\n${renderPart(a)}\r\n`).join('') + `--${boundary}--`;
  return `Content-Type: multipart/mixed; boundary=${boundary}\r\n\r\n${inner}`;
}

function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
}

function parts(text: string, boundary: string): string[] {
  const pieces = text.split(`--${boundary}`);
  const out: string[] = [];
  for (let i = 1; i < pieces.length; i++) {
    if (pieces[i].startsWith('--')) return out;
    out.push(pieces[i].replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
  }
  throw bad(`The batch body does not end with '--${boundary}--'.`);
}

function headersAndRest(raw: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return { headers, rest: m ? raw.slice(m.index + m[0].length) : '' };
}

function parseItems(text: string, boundary: string, apiUrl: string): Item[] {
  return parts(text, boundary).map((raw) => {
    const { headers, rest } = headersAndRest(raw);
    const type = headers['content-type'] ?? '';
    if (type.toLowerCase().startsWith('multipart/mixed')) {
      const inner = boundaryOf(type);
      if (!inner) throw bad('A change set needs a boundary.');
      const reqs = parts(rest, inner).map((p) => {
        const h = headersAndRest(p);
        if ((h.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/')) throw bad('Change sets cannot be nested.');
        const req = parseRequest(h.rest, apiUrl, h.headers['content-id']);
        if (req.method === 'GET') throw bad('GET requests are not allowed inside a change set.');
        return req;
      });
      return { kind: 'changeset', reqs } as Item;
    }
    return { kind: 'request', req: parseRequest(rest, apiUrl, headers['content-id']) } as Item;
  });
}

function parseRequest(raw: string, apiUrl: string, contentId: string | undefined): ParsedRequest {
  const lineEnd = raw.search(/\r?\n/);
  const line = (lineEnd < 0 ? raw : raw.slice(0, lineEnd)).trim();
  const m = /^(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP\/1\.1$/.exec(line);
  if (!m) throw bad(`The batch part does not start with a request line: '${line.slice(0, 80)}'.`);
  const { headers, rest } = headersAndRest(lineEnd < 0 ? '' : raw.slice(lineEnd).replace(/^\r?\n/, ''));
  let url = m[2];
  const api = new URL(apiUrl);
  if (url.startsWith(apiUrl)) url = url.slice(apiUrl.length);
  else if (url.startsWith(api.pathname)) url = url.slice(api.pathname.length);
  else if (/^\/api\/data\/v9\.[0-2]\//.test(url)) url = url.replace(/^\/api\/data\/v9\.[0-2]\//, '');
  else if (/^https?:/i.test(url)) throw bad(`The URL '${url.slice(0, 120)}' is not in this environment.`);
  const q = url.indexOf('?');
  let body: unknown;
  const bodyText = rest.trim();
  if (bodyText) {
    try {
      body = JSON.parse(bodyText);
    } catch {
      throw bad('Error identified in Payload provided by the user. The request body is not valid JSON.');
    }
  }
  return {
    method: m[1],
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers,
    body,
    ...(contentId !== undefined ? { contentId } : {}),
  };
}
