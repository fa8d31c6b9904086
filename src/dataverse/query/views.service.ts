import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { editDistance } from '../../common/edit-distance';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf } from '../client/dataverse-error';
import type { TableInfo } from '../metadata/metadata.service';
import { isGuid, odataString, truncate, validateGuid } from '../client/odata';

/** A saved (system) or personal view of a table. */
export interface ViewInfo {
  id: string;
  name: string;
  personal?: true;
  default?: true;
  fetchXml?: string;
  layoutXml?: string;
}

/** Personal views change more often than customizations: cached for at most this long. */
export const PERSONAL_VIEWS_TTL_SECONDS = 300;

interface RawView {
  savedqueryid?: string;
  userqueryid?: string;
  name?: string;
  isdefault?: boolean;
  fetchxml?: string | null;
  layoutxml?: string | null;
}

/** Public views (`savedqueries`, querytype 0) and the user's personal views (`userqueries`) of a table. */
@Injectable()
export class ViewsService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For listing beside a schema: a transient failure leaves the views out rather than failing the schema. */
  async listOrNone(table: Pick<TableInfo, 'logicalName'>): Promise<ViewInfo[]> {
    return this.list(table).catch((error: unknown) => {
      if (isTransient(error)) return [];
      throw error;
    });
  }

  async list(table: Pick<TableInfo, 'logicalName'>): Promise<ViewInfo[]> {
    const [pub, personal] = await Promise.all([this.publicViews(table), this.personalViews(table)]);
    return [...pub, ...personal];
  }

  /** A view by id or by name (case-insensitive); unknown names get "did you mean" and the list. */
  async resolve(table: TableInfo, input: string): Promise<ViewInfo> {
    const views = await this.list(table);
    const wanted = input.trim();
    if (!wanted || wanted.length > 200) throw new ToolError('invalid_input', 'view must be a view name or id (at most 200 characters).');
    if (isGuid(wanted)) {
      const id = validateGuid(wanted);
      const hit = views.find((v) => v.id === id);
      if (hit) return hit;
    }
    const lower = wanted.toLowerCase();
    const byName = views.filter((v) => v.name.toLowerCase() === lower);
    if (byName.length) return byName.find((v) => v.personal) ?? byName[0];
    const scored = views
      .map((v) => ({ v, d: editDistance(lower, v.name.toLowerCase()) }))
      .filter((s) => s.d <= Math.max(2, Math.floor(lower.length / 3)))
      .sort((a, b) => a.d - b.d);
    const near = scored
      .filter((s) => s.d <= scored[0].d + 1)
      .slice(0, 3)
      .map((s) => `"${s.v.name}"`);
    const all = views.map((v) => v.name).join(', ');
    throw new ToolError(
      'not_found',
      `There is no view "${truncate(wanted, 80)}" of ${table.logicalName}.${near.length ? ` Did you mean ${near.join(', ')}?` : ''} ` +
        (views.length ? `Its views: ${truncate(all, 400)}.` : `${table.logicalName} has no views.`) +
        ' get_table_schema lists them with their ids.',
    );
  }

  /** Columns of the default public view (layoutxml cells of the root table), or undefined when there is none. */
  async defaultColumns(table: TableInfo): Promise<string[] | undefined> {
    const views = await this.publicViews(table, { singleAttempt: true }).catch((error: unknown) => {
      // Without the view the read still works: it falls back to every field with a value.
      if (isTransient(error)) return [];
      throw error;
    });
    const view = views.find((v) => v.default);
    if (!view?.layoutXml) return undefined;
    const cells = layoutCells(view.layoutXml).filter((c) => !c.includes('.'));
    return cells.length ? cells : undefined;
  }

  /** `singleAttempt` for the optional default-view read: an outage costs one request, not a retry series. */
  private publicViews(table: Pick<TableInfo, 'logicalName'>, options: { singleAttempt?: boolean } = {}): Promise<ViewInfo[]> {
    return this.load(table, 'savedqueries', 'savedqueryid,name,isdefault,fetchxml,layoutxml', this.config.cacheTtl.schemaSeconds, options);
  }

  private personalViews(table: Pick<TableInfo, 'logicalName'>): Promise<ViewInfo[]> {
    const ttl = Math.min(this.config.cacheTtl.schemaSeconds, PERSONAL_VIEWS_TTL_SECONDS);
    return this.load(table, 'userqueries', 'userqueryid,name,fetchxml,layoutxml', ttl);
  }

  private async load(
    table: Pick<TableInfo, 'logicalName'>,
    set: 'savedqueries' | 'userqueries',
    select: string,
    ttl: number,
    options: { singleAttempt?: boolean } = {},
  ): Promise<ViewInfo[]> {
    const account = await this.dv.currentAccount();
    // Under the schema prefix, so refresh_schema_cache (all) drops views too.
    const key = `${cacheKeys.schemaPrefix(this.dv.envHost, account.userKey)}${table.logicalName}:${set}`;
    return this.cache.getOrLoad(key, ttl, async () => {
      try {
        const res = await this.dv.get<{ value: RawView[] }>(set, {
          query: {
            $select: select,
            $filter: `returnedtypecode eq ${odataString(table.logicalName)} and statecode eq 0 and querytype eq 0`,
            $orderby: 'name',
          },
          singleAttempt: options.singleAttempt,
        });
        return res.body.value.map((r) => toView(r, set === 'userqueries')).filter((v): v is ViewInfo => !!v);
      } catch (error) {
        // No views (or no right to read them) is not a failure of the call that wanted them.
        const kind = dataverseKindOf(error);
        if (kind === 'not_found' || kind === 'forbidden' || kind === 'bad_request' || kind === 'invalid_field') return [];
        throw error;
      }
    });
  }
}

function isTransient(error: unknown): boolean {
  const kind = dataverseKindOf(error);
  return kind === 'unavailable' || kind === 'throttled' || kind === 'timeout' || kind === 'network';
}

function toView(r: RawView, personal: boolean): ViewInfo | undefined {
  const id = personal ? r.userqueryid : r.savedqueryid;
  if (!id || !r.name) return undefined;
  return {
    id: id.toLowerCase(),
    name: r.name,
    ...(personal ? { personal: true as const } : {}),
    ...(!personal && r.isdefault ? { default: true as const } : {}),
    ...(r.fetchxml ? { fetchXml: r.fetchxml } : {}),
    ...(r.layoutxml ? { layoutXml: r.layoutxml } : {}),
  };
}

/** `<cell name="fullname" .../>` names in order (bounded: layouts are small). */
export function layoutCells(layoutXml: string): string[] {
  const cells: string[] = [];
  const re = /<cell\b[^>]*?\bname\s*=\s*["']([^"']{1,200})["']/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(layoutXml.slice(0, 50_000))) && cells.length < 100) cells.push(m[1]);
  return [...new Set(cells)];
}
