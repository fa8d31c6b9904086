import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient, FORMATTED_ANNOTATIONS } from '../client/dataverse.client';
import { classifyHttpError, DataverseError, ErrorContext, toToolError } from '../client/dataverse-error';
import { encodeQueryValue } from '../client/odata';
import { buildBatchGet, MAX_BATCH_GET_URL, MAX_GET_URL, parseBatchResponse } from './batch-get';
import { serializeXml, XmlElement } from './xml';

const PAGING_COOKIE = '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const MORE_RECORDS = '@Microsoft.Dynamics.CRM.morerecords';
export const FETCH_ANNOTATIONS = [
  ...FORMATTED_ANNOTATIONS,
  'Microsoft.Dynamics.CRM.fetchxmlpagingcookie',
  'Microsoft.Dynamics.CRM.morerecords',
];

export interface FetchPage {
  rows: Record<string, unknown>[];
  more: boolean;
  /** The `paging-cookie` value for the next page (already decoded). */
  cookie?: string;
}

/** Runs FetchXML: `GET <set>?fetchXml=...`, or inside `$batch` when that URL would be too long. */
@Injectable()
export class FetchRunner {
  constructor(private readonly dv: DataverseClient) {}

  async run(entitySetName: string, fetch: XmlElement, context: ErrorContext): Promise<FetchPage> {
    const pathAndQuery = `${entitySetName}?fetchXml=${encodeQueryValue(serializeXml(fetch))}`;
    const apiUrl = new URL(this.dv.apiUrl);
    const urlLength = apiUrl.href.length + pathAndQuery.length;
    let body: { value?: Record<string, unknown>[] } & Record<string, unknown>;
    if (urlLength <= MAX_GET_URL) {
      const res = await this.dv.getRelative<typeof body>(pathAndQuery, {
        prefer: { annotations: FETCH_ANNOTATIONS },
        context,
        expect: { rows: [] },
      });
      body = res.body;
    } else {
      if (urlLength > MAX_BATCH_GET_URL) {
        throw new ToolError(
          'invalid_input',
          `This FetchXML is too long to send (over ${MAX_BATCH_GET_URL} characters encoded); simplify it.`,
        );
      }
      body = await this.viaBatch(apiUrl.pathname, pathAndQuery, context);
    }
    const rows = Array.isArray(body.value) ? body.value : [];
    const more = body[MORE_RECORDS] === true;
    const cookie = typeof body[PAGING_COOKIE] === 'string' ? pagingCookieOf(body[PAGING_COOKIE] as string) : undefined;
    return { rows, more, cookie };
  }

  private async viaBatch(apiPath: string, pathAndQuery: string, context: ErrorContext) {
    const prefer = `odata.include-annotations="${FETCH_ANNOTATIONS.join(',')}"`;
    const { boundary, body } = buildBatchGet(apiPath, pathAndQuery, prefer);
    const res = await this.dv.batch(boundary, body, { context });
    const contentType = res.headers['content-type'];
    const part = parseBatchResponse(Array.isArray(contentType) ? contentType[0] : contentType, String(res.body ?? ''));
    if (part.status >= 200 && part.status < 300) {
      try {
        const parsed = JSON.parse(part.body) as unknown;
        if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { value?: unknown }).value)) {
          return parsed as { value?: Record<string, unknown>[] } & Record<string, unknown>;
        }
      } catch {
        // reported below
      }
      throw new ToolError(
        'unavailable',
        'Dataverse answered the FetchXML query with a body that is not a list of records; nothing was read. Try a simpler query.',
      );
    }
    let err: { code?: string; message?: string } = {};
    try {
      err = (JSON.parse(part.body) as { error?: typeof err }).error ?? {};
    } catch {
      err = { message: part.body.slice(0, 300) };
    }
    const kind = classifyHttpError(part.status, err.code || undefined, err.message, false);
    throw toToolError(
      new DataverseError(kind, {
        method: 'GET',
        path: pathAndQuery.split('?')[0],
        status: part.status,
        code: err.code,
        dataverseMessage: err.message,
      }),
      context,
    );
  }
}

/**
 * `<cookie pagenumber="2" pagingcookie="%253ccookie...%253e" istracking="False" />` → the `pagingcookie`
 * attribute, URL-decoded twice, as the next request's `paging-cookie`.
 */
export function pagingCookieOf(annotation: string): string | undefined {
  const m = /pagingcookie="([^"]*)"/.exec(annotation);
  if (!m) return undefined;
  try {
    return decodeURIComponent(decodeURIComponent(m[1]));
  } catch {
    return undefined;
  }
}

/** A copy of the fetch with our paging: `count` records per page, page `page`, and the cookie of the page before. */
export function withPaging(fetch: XmlElement, page: number, count: number, cookie?: string): XmlElement {
  const attrs: Record<string, string> = { ...fetch.attrs, page: String(page), count: String(count) };
  delete attrs['paging-cookie'];
  if (cookie) attrs['paging-cookie'] = cookie;
  return { ...fetch, attrs };
}
