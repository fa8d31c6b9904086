import { createHash } from 'node:crypto';
import { deepFreeze } from '../../common/deep-freeze';
import { withKnownJson } from '../../common/known-json';
import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient, FORMATTED_ANNOTATIONS } from '../client/dataverse.client';
import { formatRecord } from './formatting';
import { withRecordUrl } from './links/record-url';
import { MetadataService, TableInfo } from '../metadata/metadata.service';
import { recordPath, validateGuid } from '../client/odata';
import { FetchRunner, withPaging } from '../query/fetch-runner';
import { chooseColumns, fetchOf, odataQuery, packXml, unpackXml } from '../query/list-plan';
import { ViewsService } from '../query/views.service';
import { CursorStore } from './paging/cursor-store';
import { assertCursorInScope } from '../scope/cursor-scope';
import { maskRecord } from '../scope/table-scope';
import { assertNoteInScope, regardingColumn, withholdNotes } from '../scope/notes-scope';
import { checkCursorState, checkPageLink, CursorState, invalidCursor, isNextOfSameQuery, MAX_TOP } from './paging/cursor-state';

export const DEFAULT_TOP = 20;
export { MAX_TOP };
/** Output budget of one list_records answer (characters of record JSON). */
export const OUTPUT_BUDGET_CHARS = 40_000;

export interface ListRecordsInput {
  table: string;
  filter?: string;
  select?: string | string[];
  orderby?: string;
  top?: number;
  cursor?: string;
  /** A whole `<fetch>` document (not with filter/select/orderby/view). */
  fetchXml?: string;
  /** A public or personal view of the table, by name or id. */
  view?: string;
}

export interface ListRecordsResult {
  table: string;
  entitySetName: string;
  records: Record<string, unknown>[];
  hasMore: boolean;
  nextCursor?: string;
  /** Set when the output budget cut the page short. */
  truncated?: boolean;
  note?: string;
}

const userHashes = new Map<string, string>();

/** The short hash of a user key that cursors carry (remembered for up to 1,000 users). */
function userHashOf(userKey: string): string {
  let hash = userHashes.get(userKey);
  if (hash === undefined) {
    if (userHashes.size >= 1000) userHashes.clear();
    hash = createHash('sha256').update(userKey).digest('hex').slice(0, 16);
    userHashes.set(userKey, hash);
  }
  return hash;
}

@Injectable()
export class RecordsService {
  /** The API URL, parsed once (it is the same for every call of a process). */
  private api?: { href: string; url: URL };

  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly views: ViewsService,
    private readonly fetchRunner: FetchRunner,
    private readonly cursors: CursorStore,
  ) {}

  async list(input: ListRecordsInput): Promise<ListRecordsResult> {
    const table = await this.metadata.resolveTable(input.table);
    const account = await this.dv.currentAccount();
    const userHash = userHashOf(account.userKey);

    let state: CursorState;
    if (input.cursor) {
      state = await this.loadCursor(input.cursor, table, account.userKey, userHash);
      await assertCursorInScope(state, () => this.metadata.schemaOf(table), this.metadata, unpackXml);
    } else {
      const top = input.top ?? DEFAULT_TOP;
      if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
        throw new ToolError('invalid_input', `top must be a whole number from 1 to ${MAX_TOP}.`);
      const base = { v: 1 as const, e: this.dv.envHost, u: userHash, t: table.entitySetName, n: top, o: 0 };
      if (input.fetchXml !== undefined || input.view !== undefined) {
        const fetch = await fetchOf(table, input, this.metadata, this.views);
        state = { ...base, l: table.entitySetName, x: packXml(fetch), p: 1 };
      } else {
        const columns = regardingColumn(
          table.logicalName,
          await chooseColumns(table, input.select, this.metadata, this.views),
          this.metadata.scope,
        );
        const query = await odataQuery(table, input, columns, this.metadata);
        state = { ...base, l: `${table.entitySetName}${query}`, ...(columns.kind === 'given' ? { k: 1 as const } : {}) };
      }
    }

    let pageRows: Record<string, unknown>[];
    let nextLink: string | undefined;
    let fetchNext: { p: number; c?: string } | undefined;
    if (state.x) {
      let stored;
      try {
        stored = unpackXml(state.x);
        // A cursor comes back from outside: its fetch must still be one of this table's.
        if (stored.name !== 'fetch' || stored.children[0]?.attrs.name !== table.logicalName) throw new Error('foreign fetch');
      } catch {
        throw invalidCursor();
      }
      const fetch = withPaging(stored, state.p ?? 1, state.n, state.c);
      const page = await this.fetchRunner.run(table.entitySetName, fetch, { table: table.logicalName });
      pageRows = page.rows;
      if (page.more) fetchNext = { p: (state.p ?? 1) + 1, c: page.cookie };
    } else {
      const res = await this.dv.getRelative<{ value: Record<string, unknown>[]; '@odata.nextLink'?: string }>(state.l, {
        prefer: { annotations: FORMATTED_ANNOTATIONS, maxPageSize: state.n },
        context: { table: table.logicalName },
        expect: { rows: [] },
      });
      pageRows = res.body.value;
      nextLink = res.body['@odata.nextLink'];
    }
    const rows = pageRows.slice(state.o);
    const { records, truncated, consumed, withheld } = this.pageRecords(rows, table, !!state.k);
    let next: CursorState | undefined;
    if (truncated) {
      // Continue inside the same page: fetch it again and skip what was already shown.
      next = { ...state, o: state.o + consumed };
    } else if (fetchNext) {
      next = { ...state, p: fetchNext.p, c: fetchNext.c, o: 0 };
    } else if (nextLink) {
      next = { ...state, l: this.relativeLink(nextLink, table, state.l), o: 0 };
    }
    const result: ListRecordsResult = {
      table: table.logicalName,
      entitySetName: table.entitySetName,
      records,
      hasMore: !!next,
      nextCursor: next ? await this.cursors.save(this.dv.envHost, account.userKey, next) : undefined,
    };
    if (withheld) result.note = `${withheld} note${withheld === 1 ? '' : 's'} about records outside this server's table scope left out.`;
    if (truncated) {
      result.truncated = true;
      result.note =
        (result.note ? `${result.note} ` : '') +
        `Output was cut at ${records.length} of ${rows.length} records on this page to stay under ${OUTPUT_BUDGET_CHARS} characters; ` +
        'nextCursor continues from the next record. To get more per call, select fewer fields or lower top.';
    }
    return result;
  }

  /**
   * The page's rows as records, within the output budget: the first record always, then as many as fit (each
   * record's JSON and a separator count). Each record is serialised once, and the page's JSON, built from those, goes
   * with the (frozen) records for the result's text and the answer to reuse. Rows past the cut are not formatted.
   */
  private pageRecords(
    rows: Record<string, unknown>[],
    table: TableInfo,
    keepNulls: boolean,
  ): { records: Record<string, unknown>[]; truncated: boolean; consumed: number; withheld: number } {
    const scope = this.metadata.scope;
    const apiUrl = this.dv.apiUrl;
    const records: Record<string, unknown>[] = [];
    const parts: string[] = [];
    let used = 0;
    let truncated = false;
    let consumed = 0;
    let withheld = 0;
    for (const row of rows) {
      const formatted = formatRecord(row, { keepNulls });
      if (withholdNotes(table.logicalName, [formatted], scope).withheld) {
        withheld++;
        consumed++;
        continue;
      }
      const record = withRecordUrl(maskRecord(formatted, scope), apiUrl, table.logicalName, row[table.primaryIdAttribute]);
      const json = JSON.stringify(record);
      if (records.length > 0 && used + json.length + 1 > OUTPUT_BUDGET_CHARS) {
        truncated = true;
        break;
      }
      records.push(record);
      parts.push(json);
      used += json.length + 1;
      consumed++;
    }
    return { records: withKnownJson(deepFreeze(records), `[${parts.join(',')}]`), truncated, consumed, withheld };
  }

  async get(
    tableInput: string,
    idInput: string,
    selectInput?: string | string[],
  ): Promise<{ table: string; entitySetName: string; id: string; record: Record<string, unknown> }> {
    const id = validateGuid(idInput);
    const table = await this.metadata.resolveTable(tableInput);
    const columns = regardingColumn(
      table.logicalName,
      await chooseColumns(table, selectInput, this.metadata, this.views),
      this.metadata.scope,
    );
    const res = await this.dv.get<Record<string, unknown>>(recordPath(table.entitySetName, id), {
      query: { $select: columns.kind === 'all' ? undefined : columns.fields.join(',') },
      prefer: { annotations: FORMATTED_ANNOTATIONS },
      context: { table: table.logicalName, id },
    });
    const record = formatRecord(res.body, { keepNulls: columns.kind === 'given' });
    assertNoteInScope(table.logicalName, record, this.metadata.scope);
    return {
      table: table.logicalName,
      entitySetName: table.entitySetName,
      id,
      record: withRecordUrl(maskRecord(record, this.metadata.scope), this.dv.apiUrl, table.logicalName, id),
    };
  }

  /**
   * A nextLink must point into this environment's API and this entity set; anything else is refused. The usual
   * link (the one just fetched with a new skiptoken, under the API URL as written) needs no URL parsing.
   */
  private relativeLink(nextLink: string, table: TableInfo, fetched: string): string {
    const apiUrl = this.dv.apiUrl;
    if (apiUrl.endsWith('/') && nextLink.startsWith(apiUrl)) {
      const relative = nextLink.slice(apiUrl.length);
      if (isNextOfSameQuery(relative, fetched)) return relative;
    }
    if (this.api?.href !== this.dv.apiUrl) this.api = { href: this.dv.apiUrl, url: new URL(this.dv.apiUrl) };
    const api = this.api.url;
    const url = new URL(nextLink, api);
    if (url.origin !== api.origin || !url.pathname.startsWith(api.pathname)) {
      throw new ToolError('internal', 'Dataverse returned a next-page link outside this environment; paging stopped.');
    }
    const relative = url.pathname.slice(api.pathname.length) + url.search;
    try {
      checkPageLink(relative, table.entitySetName);
    } catch {
      throw new ToolError('internal', 'Dataverse returned a next-page link this server does not follow; paging stopped.');
    }
    return relative;
  }

  /** The paging state stored under this user's cursor id, re-validated as if given fresh (defence in depth). */
  private async loadCursor(cursor: string, table: TableInfo, userKey: string, userHash: string): Promise<CursorState> {
    const state = checkCursorState(await this.cursors.load(this.dv.envHost, userKey, cursor), table.entitySetName);
    if (state.e !== this.dv.envHost || state.u !== userHash) {
      throw new ToolError('invalid_input', 'This cursor was issued for another user or environment; run the query again without cursor.');
    }
    if (state.t !== table.entitySetName) {
      throw new ToolError(
        'invalid_input',
        `This cursor belongs to table ${state.t}, not ${table.logicalName}; pass the same table as the call that returned it.`,
      );
    }
    return state;
  }
}
