import { randomUUID } from 'node:crypto';

/**
 * One GET wrapped in a `$batch` request, for a query whose URL would pass the service's 32,768-character limit
 * (a GET inside a batch may be up to 65,536). Shapes per the Web API batch documentation.
 */

export const MAX_GET_URL = 32_768;
export const MAX_BATCH_GET_URL = 65_536;

export function buildBatchGet(apiPath: string, pathAndQuery: string, prefer?: string): { boundary: string; body: string } {
  const boundary = `batch_${randomUUID()}`;
  const lines = [
    `--${boundary}`,
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    `GET ${apiPath}${pathAndQuery} HTTP/1.1`,
    'Accept: application/json',
    ...(prefer ? [`Prefer: ${prefer}`] : []),
    '',
    '',
    `--${boundary}--`,
    '',
  ];
  return { boundary, body: lines.join('\r\n') };
}

export interface BatchPart {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The first response part of a `multipart/mixed` batch answer. */
export function parseBatchResponse(contentType: string | undefined, text: string): BatchPart {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1] ?? /^--([^\r\n]+)/.exec(text)?.[1];
  if (!boundary) throw new Error('batch response without a boundary');
  const parts = text.split(`--${boundary}`).slice(1, -1);
  if (!parts.length) throw new Error('batch response without parts');
  const part = parts[0].replace(/^\r?\n/, '');
  const statusAt = part.search(/HTTP\/1\.1 \d{3}/);
  if (statusAt < 0) throw new Error('batch response part without a status line');
  const http = part.slice(statusAt);
  const headEnd = http.search(/\r?\n\r?\n/);
  const head = headEnd < 0 ? http : http.slice(0, headEnd);
  const body =
    headEnd < 0
      ? ''
      : http
          .slice(headEnd)
          .replace(/^\r?\n\r?\n/, '')
          .replace(/\r?\n$/, '');
  const [statusLine, ...headerLines] = head.split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]), headers, body };
}
