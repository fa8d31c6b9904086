import type { ResponseProblem } from '../dataverse-error';

/**
 * What a successful GET must carry. Every Dataverse GET this server makes answers a JSON object; `rows` says it
 * is a collection (`value`: an array of objects, `@odata.nextLink` a string when present) whose rows each have a
 * string at those keys; `strings` names keys the object itself must have as strings.
 */
export interface ExpectedShape {
  rows?: string[];
  strings?: string[];
  /** Keys of the object itself that must be lists of objects, each with a string at the given keys (`$expand`ed collections). */
  lists?: Record<string, string[]>;
}

export type ParsedBody = { ok: true; body: unknown } | { ok: false; problem: ResponseProblem; detail?: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The body of a 2xx response. Writes (`expect` undefined) may answer nothing (204) or a JSON object; a GET must
 * answer a JSON object of the expected shape. Anything else (HTML, truncated JSON, `{"value": null}`, an empty
 * 200) is a problem to report, never a value for the caller to trip over.
 */
export function parseSuccessBody(text: string, contentType: string | undefined, expect: ExpectedShape | undefined): ParsedBody {
  if (!text.trim()) return expect ? { ok: false, problem: 'bad_shape', detail: 'empty body' } : { ok: true, body: undefined };
  if (!/\bjson\b/i.test(contentType ?? '')) return { ok: false, problem: 'not_json' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'bad_json' };
  }
  if (!isObject(body)) return { ok: false, problem: 'bad_shape', detail: 'not a JSON object' };
  if (!expect) return { ok: true, body };
  const missing = expect.strings?.find((k) => typeof body[k] !== 'string');
  if (missing) return { ok: false, problem: 'bad_shape', detail: `${missing} missing` };
  for (const [list, keys] of Object.entries(expect.lists ?? {})) {
    const items = body[list];
    if (!Array.isArray(items)) return { ok: false, problem: 'bad_shape', detail: `${list} is not a list` };
    for (const item of items) {
      if (!isObject(item)) return { ok: false, problem: 'bad_shape', detail: `an item of ${list} is not an object` };
      const key = keys.find((k) => typeof item[k] !== 'string');
      if (key) return { ok: false, problem: 'bad_shape', detail: `an item of ${list} has no ${key}` };
    }
  }
  if (expect.rows) {
    const rows = body.value;
    if (!Array.isArray(rows)) return { ok: false, problem: 'bad_shape', detail: 'value is not a list' };
    const next = body['@odata.nextLink'];
    if (next !== undefined && next !== null && typeof next !== 'string') {
      return { ok: false, problem: 'bad_shape', detail: 'next-page link is not text' };
    }
    for (const row of rows) {
      if (!isObject(row)) return { ok: false, problem: 'bad_shape', detail: 'a row is not an object' };
      const key = expect.rows.find((k) => typeof row[k] !== 'string');
      if (key) return { ok: false, problem: 'bad_shape', detail: `a row has no ${key}` };
    }
  }
  return { ok: true, body };
}
