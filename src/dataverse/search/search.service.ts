import { Inject, Injectable, Logger } from '@nestjs/common';
import { mapLimited } from '../../common/map-limited';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { DataverseError, dataverseKindOf } from '../client/dataverse-error';
import { MetadataService, TableInfo } from '../metadata/metadata.service';
import { truncate } from '../client/odata';
import { FALLBACK_DEFAULT_TABLES, FALLBACK_PARALLEL, nameFilter, nameScore, plainText, rankHits } from './name-fallback';
import { parseSearchResponse, parseSearchStatus, SearchableTable, SearchHit, SearchStatus, TableKeys } from './search-response';

export const DEFAULT_SEARCH_TOP = 10;
export const MAX_SEARCH_TOP = 100;
export const MAX_QUERY_CHARS = 100;
export const MAX_SEARCH_TABLES = 10;
/** Search columns sent per table when `tables` narrows the search (the index may list many more). */
const MAX_SEARCH_COLUMNS = 20;
/** Columns returned beside the primary name per table. */
const EXTRA_SELECT_COLUMNS = 3;
/** Most characters of result JSON in one answer. */
export const OUTPUT_BUDGET_CHARS = 40_000;
/** Dataverse's answer when the environment has Dataverse search turned off. */
export const SEARCH_DISABLED_CODE = '0x80048d0b';

export interface SearchInput {
  query: string;
  tables?: string[];
  top?: number;
}

export interface SearchOutcome {
  results: SearchHit[];
  /** Set when the output budget left later results out. */
  truncated?: boolean;
  totalCount?: number;
  /** Present when Dataverse search is off and the primary-name search answered instead. */
  fallback?: { reason: string; tables: string[]; skipped?: string[] };
}

/** Search across tables: Dataverse search when the environment has it, a bounded primary-name search when not. */
@Injectable()
export class SearchService {
  private readonly logger = new Logger('Search');

  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async search(input: SearchInput): Promise<SearchOutcome> {
    const query = validateQuery(input.query);
    const top = input.top ?? DEFAULT_SEARCH_TOP;
    if (!Number.isInteger(top) || top < 1 || top > MAX_SEARCH_TOP) {
      throw new ToolError('invalid_input', `top must be a whole number from 1 to ${MAX_SEARCH_TOP}.`);
    }
    const requested = await this.resolveTables(input.tables);
    const status = await this.status();
    if (status === 'off') return this.fallback(query, requested, top);
    const scope = this.metadata.scope;
    if (requested && status) {
      const missing = requested.filter((t) => !status.tables.has(t.logicalName));
      const inScope = { ...status, tables: new Map([...status.tables].filter(([t]) => scope.allows(t))) };
      if (missing.length) throw new ToolError('invalid_input', notSearchableMessage(missing, inScope));
    }
    // Under a table scope an unrestricted search names the (indexed) tables in scope: nothing else is searched.
    const targets =
      requested ??
      (scope.active ? (await this.metadata.listTables()).filter((t) => !status || status.tables.has(t.logicalName)) : undefined);
    if (targets && !targets.length) return { results: [] };

    const all = await this.metadata.listTables();
    const keys = new Map<string, TableKeys>(all.map((t) => [t.logicalName, { name: t.primaryNameAttribute, id: t.primaryIdAttribute }]));
    for (const t of status?.tables.values() ?? []) if (!keys.get(t.logicalName)?.name) keys.set(t.logicalName, { name: t.primaryName });
    const body: Record<string, unknown> = { search: query, count: true, top };
    if (targets) body.entities = JSON.stringify(targets.map((t) => searchEntity(t, status)));

    let answer: unknown;
    try {
      answer = (await this.dv.post('searchquery', body)).record;
    } catch (error) {
      const info = dataverseInfo(error);
      if (info?.code === SEARCH_DISABLED_CODE) {
        await this.cache.delete(await this.statusKey());
        return this.fallback(query, requested, top);
      }
      if (info?.status === 429) {
        throw new ToolError(
          'throttled',
          `Dataverse search is throttling requests (it allows about one search per second per user); try again in ${info.retryAfterSeconds ?? 5} s.`,
        );
      }
      const kind = dataverseKindOf(error);
      if (kind === 'unavailable' || kind === 'timeout' || kind === 'network') {
        // The client words these for writes (POST); a search changes nothing.
        throw new ToolError(
          'unavailable',
          `Dataverse search did not answer (${kind}${info?.status ? `, HTTP ${info.status}` : ''}); try again in a moment.`,
        );
      }
      if (info?.status === 400) {
        throw new ToolError(
          'invalid_input',
          `Dataverse search rejected the query${info.dataverseMessage ? `: ${truncate(info.dataverseMessage, 300)}` : ''}. ` +
            'Simplify the query (plain words; * for a prefix; quotes for a phrase).',
        );
      }
      throw error;
    }
    const parsed = parseSearchResponse(answer, keys);
    const hits = parsed.hits.filter((h) => scope.allows(h.table));
    return {
      ...withinBudget(hits.slice(0, top)),
      ...(parsed.totalCount !== undefined ? { totalCount: parsed.totalCount } : {}),
    };
  }

  private async resolveTables(tables: string[] | undefined): Promise<TableInfo[] | undefined> {
    if (!tables?.length) return undefined;
    if (tables.length > MAX_SEARCH_TABLES) {
      throw new ToolError(
        'invalid_input',
        `tables lists ${tables.length} tables; at most ${MAX_SEARCH_TABLES}. Leave it out to search every table.`,
      );
    }
    const resolved = await Promise.all(tables.map((t) => this.metadata.resolveTable(t)));
    return [...new Map(resolved.map((t) => [t.logicalName, t])).values()];
  }

  /**
   * The search index status (cached while search is on); `off` when search is turned off; undefined when the
   * status cannot be read (not offered, or not allowed for this user): then the search runs without it.
   */
  private async status(): Promise<SearchStatus | 'off' | undefined> {
    const key = await this.statusKey();
    const cached = await this.cache.get<{ status: string; tables: Array<[string, SearchableTable]> }>(key);
    if (cached) return { status: cached.status, tables: new Map(cached.tables) };
    let status: SearchStatus;
    try {
      status = parseSearchStatus((await this.dv.get('searchstatus')).body);
    } catch (error) {
      const info = dataverseInfo(error);
      if (info?.code === SEARCH_DISABLED_CODE) return 'off';
      if (info?.status === 403 || info?.status === 404) {
        this.logger.warn({ status: info.status }, 'Dataverse search status unavailable; searching without it');
        return undefined;
      }
      throw error;
    }
    if (status.status !== 'provisioned') return 'off';
    await this.cache.set(key, { status: status.status, tables: [...status.tables] }, this.config.cacheTtl.schemaSeconds);
    return status;
  }

  private async statusKey(): Promise<string> {
    const account = await this.dv.currentAccount();
    return `${cacheKeys.userPrefix(this.dv.envHost, account.userKey)}searchstatus`;
  }

  private async fallback(query: string, requested: TableInfo[] | undefined, top: number): Promise<SearchOutcome> {
    const text = plainText(query);
    if (!text) throw new ToolError('invalid_input', 'query has no words to look for once search operators are removed; pass plain words.');
    let tables = requested;
    if (!tables) {
      const byName = new Map((await this.metadata.listTables()).map((t) => [t.logicalName, t]));
      tables = FALLBACK_DEFAULT_TABLES.flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
    }
    const named = tables.filter((t) => t.primaryNameAttribute);
    const skipped = tables.filter((t) => !t.primaryNameAttribute).map((t) => t.logicalName);
    this.logger.debug({ tables: named.length }, 'Dataverse search is off; searching primary names');
    const perTable = await mapLimited(named, FALLBACK_PARALLEL, async (t) => {
      const res = await this.dv.get<{ value: Record<string, unknown>[] }>(t.entitySetName, {
        query: {
          $select: `${t.primaryIdAttribute},${t.primaryNameAttribute}`,
          $filter: nameFilter(t, text),
          $orderby: t.primaryNameAttribute,
          $top: String(top),
        },
        context: { table: t.logicalName },
      });
      return res.body.value.map((row): SearchHit => {
        const name = String(row[t.primaryNameAttribute!] ?? '');
        return { table: t.logicalName, id: String(row[t.primaryIdAttribute]).toLowerCase(), name, score: nameScore(name, text) };
      });
    });
    return {
      results: rankHits(perTable.flat(), top),
      fallback: {
        reason: 'Dataverse search is turned off in this environment, so only primary names were searched (contains).',
        tables: named.map((t) => t.logicalName),
        ...(skipped.length ? { skipped } : {}),
      },
    };
  }
}

/** Trimmed query, 1 to 100 characters (the service's limits). */
export function validateQuery(input: string | undefined): string {
  const query = (input ?? '').trim();
  if (!query) throw new ToolError('invalid_input', 'query is empty: pass the words to look for, e.g. "Contoso".');
  if (query.length > MAX_QUERY_CHARS) {
    throw new ToolError(
      'invalid_input',
      `query is ${query.length} characters long; Dataverse search takes at most ${MAX_QUERY_CHARS}. Keep the most distinctive words.`,
    );
  }
  return query;
}

/**
 * An `entities` item. Without SearchColumns Dataverse searches the primary name only, so the indexed
 * columns from searchstatus are named; without a status, only the primary name is searched.
 */
function searchEntity(table: TableInfo, status: SearchStatus | undefined): Record<string, unknown> {
  const indexed = status?.tables.get(table.logicalName);
  const name = table.primaryNameAttribute ?? indexed?.primaryName;
  const others = (indexed?.searchColumns ?? []).filter((c) => c !== name);
  const item: Record<string, unknown> = { Name: table.logicalName };
  if (name) item.SelectColumns = [name, ...others.slice(0, EXTRA_SELECT_COLUMNS)];
  if (indexed) item.SearchColumns = [...(name ? [name] : []), ...others].slice(0, MAX_SEARCH_COLUMNS);
  return item;
}

/** Keeps the answer under OUTPUT_BUDGET_CHARS: later results are left out, and the answer says so. */
export function withinBudget(hits: SearchHit[]): Pick<SearchOutcome, 'results' | 'truncated'> {
  let used = 0;
  const results: SearchHit[] = [];
  for (const hit of hits) {
    used += JSON.stringify(hit).length + 1;
    if (results.length && used > OUTPUT_BUDGET_CHARS) return { results, truncated: true };
    results.push(hit);
  }
  return { results };
}

function notSearchableMessage(missing: TableInfo[], status: SearchStatus): string {
  const names = missing.map((t) => t.logicalName);
  const searchable = [...status.tables.keys()].sort();
  const list = searchable.length > 15 ? `${searchable.slice(0, 15).join(', ')}, …` : searchable.join(', ');
  const example = missing[0].primaryNameAttribute ? `contains(${missing[0].primaryNameAttribute},'...')` : "contains(<name field>,'...')";
  return (
    `${names.length === 1 ? `Table ${names[0]} is` : `Tables ${names.join(', ')} are`} not indexed for Dataverse search in this environment. ` +
    `Searchable tables: ${list || 'none'}. Leave ${names.length === 1 ? 'it' : 'them'} out of tables, or use list_records with a filter such as ${example}.`
  );
}

function dataverseInfo(error: unknown): DataverseError['info'] | undefined {
  if (error instanceof DataverseError) return error.info;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof DataverseError ? cause.info : undefined;
}
