import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf } from '../client/dataverse-error';
import { entityDefinitionPath, isLogicalName, odataString, validateTableName } from '../client/odata';
import { buildFields, labelText, LabelSet, RawAttribute, RawOption, SchemaParts, TableSchema } from './schema-format';
import { editDistance, worthSuggesting } from '../../common/edit-distance';
import { outsideScope, tableScopeOf, TableScope } from '../scope/table-scope';

/** One table of the table list (cached per user). */
export interface TableInfo {
  logicalName: string;
  displayName?: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute?: string;
}

interface RawEntity {
  LogicalName: string;
  EntitySetName: string;
  PrimaryIdAttribute: string;
  PrimaryNameAttribute?: string | null;
  DisplayName?: LabelSet | null;
  IsActivity?: boolean;
}

const ENTITY_SELECT = 'LogicalName,DisplayName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute';
const TABLE_FILTER = 'IsPrivate eq false and IsIntersect eq false and IsValidForAdvancedFind eq true';
const ATTRIBUTE_SELECT =
  'LogicalName,AttributeType,AttributeTypeName,RequiredLevel,IsValidForCreate,IsValidForUpdate,IsValidForRead,AttributeOf,IsPrimaryId,IsPrimaryName,DisplayName';

/** Tables, their schema, and resolving what the user typed (`contact`, `contacts`) to a table. */
@Injectable()
export class MetadataService {
  private readonly logger = new Logger('Metadata');
  /** DATAVERSE_TABLES / DATAVERSE_EXCLUDE_TABLES, consulted by every service before it names a table. */
  readonly scope: TableScope;

  constructor(
    private readonly dv: DataverseClient,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.scope = tableScopeOf(config);
  }

  /** Business tables visible to the user and in the table scope, sorted by logical name (cached). */
  async listTables(): Promise<TableInfo[]> {
    return this.scoped(await this.allTables());
  }

  /** The table list under the scope (reporting scope names the environment does not list, once). */
  private scoped(all: TableInfo[]): TableInfo[] {
    this.scope.reportUnknown(all, this.logger);
    return this.scope.filter(all);
  }

  /** Every business table, the scope not applied: only for counting what a delete reaches, never shown by name. */
  async listTablesUnscoped(): Promise<TableInfo[]> {
    return this.allTables();
  }

  /** Every business table, the scope not applied (for resolving lookup targets' entity sets). */
  private async allTables(): Promise<TableInfo[]> {
    const account = await this.dv.currentAccount();
    return this.cache.getOrLoad(cacheKeys.tables(this.dv.envHost, account.userKey), this.config.cacheTtl.tablesSeconds, async () => {
      const res = await this.dv.get<{ value: RawEntity[] }>('EntityDefinitions', {
        query: { $select: ENTITY_SELECT, $filter: TABLE_FILTER },
        expect: { rows: ['LogicalName'] },
      });
      // A definition without an entity set or id attribute cannot be queried through the Web API: left out.
      const usable = res.body.value.filter((e) => TABLE_KEYS.every((k) => typeof e[k] === 'string'));
      return usable.map(toTableInfo).sort((a, b) => a.logicalName.localeCompare(b.logicalName));
    });
  }

  /** A logical name or an entity set name → the table; unknown names get "did you mean". */
  async resolveTable(input: string, known?: TableInfo[]): Promise<TableInfo> {
    return this.resolve(input, false, known);
  }

  /** resolveTable without the scope: only for tables the server itself reads (activityparty under an activity). */
  async resolveInternalTable(input: string): Promise<TableInfo> {
    return this.resolve(input, true);
  }

  /** `known`: the cached table list when the caller already has it (no second cache read). */
  private async resolve(input: string, internal: boolean, known?: TableInfo[]): Promise<TableInfo> {
    const name = validateTableName(input);
    const lower = name.toLowerCase();
    const everything = known ?? (await this.allTables());
    const hit = findTable(everything, name);
    if (hit && !internal) this.scope.assert(hit.logicalName);
    if (hit) return hit;
    const tables = internal ? everything : this.scoped(everything);
    // Refused before anything is asked about it.
    if (!internal && !this.scope.allows(lower)) throw outsideScope(lower, suggestTables(name, tables));
    // Not in the business-table list (e.g. activityparty): ask for the definition itself.
    if (isLogicalName(lower)) {
      try {
        const res = await this.dv.get<RawEntity>(entityDefinitionPath(lower), {
          query: { $select: ENTITY_SELECT },
          expect: { strings: TABLE_KEYS },
        });
        return toTableInfo(res.body);
      } catch (error) {
        if (dataverseKindOf(error) !== 'not_found') throw error;
      }
    }
    throw new ToolError('not_found', unknownTableMessage(name, tables));
  }

  /** The compact schema of one table (cached for CACHE_TTL_SCHEMA_SECONDS). */
  async getSchema(input: string, options: { internal?: boolean } = {}): Promise<TableSchema> {
    return (await this.getSchemaWith(input, undefined, options)).schema;
  }

  /** The compact schema of a table resolveTable gave (so in the table scope): read from the cache with no second resolution. */
  async schemaOf(table: Pick<TableInfo, 'logicalName'>): Promise<TableSchema> {
    const account = await this.dv.currentAccount();
    return this.scope.view(await this.cachedSchema(account.userKey, table.logicalName));
  }

  private cachedSchema(userKey: string, logicalName: string): Promise<TableSchema> {
    return this.cache.getOrLoad(cacheKeys.schema(this.dv.envHost, userKey, logicalName), this.config.cacheTtl.schemaSeconds, () =>
      this.loadSchema(logicalName),
    );
  }

  /**
   * The schema and `extra(logicalName)` (views, relationships: reads that need only the name) in one wave of
   * requests. With the table list cached the name is resolved first (no request); without it the schema, the
   * extras and the table list load at once under the typed name when it looks like a logical name the table scope
   * allows (nothing is asked about a table outside it), and only a name that resolves to another table (an entity
   * set name such as "contacts") costs a second wave. Lookup targets outside the scope are cut out of the schema.
   */
  async getSchemaWith<T = undefined>(
    input: string,
    extra: ((logicalName: string) => Promise<T>) | undefined,
    options: { internal?: boolean } = {},
  ): Promise<{ schema: TableSchema; extra: T }> {
    const name = validateTableName(input);
    const internal = !!options.internal;
    const account = await this.dv.currentAccount();
    const host = this.dv.envHost;
    const load = (logicalName: string) => this.cachedSchema(account.userKey, logicalName);
    // Without extras (getSchema) a cached schema is one cache read, with no second promise to wait for.
    const both = async (logicalName: string): Promise<[TableSchema, T]> =>
      extra ? Promise.all([load(logicalName), extra(logicalName)]) : [await load(logicalName), undefined as T];
    const known = await this.cache.get<TableInfo[]>(cacheKeys.tables(host, account.userKey));
    const guess = name.toLowerCase();
    if (known || !isLogicalName(guess) || (!internal && !this.scope.allows(guess))) {
      const [schema, more] = await both((await this.resolve(name, internal, known)).logicalName);
      return { schema: this.scope.view(schema), extra: more };
    }
    const early = both(guess);
    early.catch(() => undefined); // awaited below unless the guess was wrong
    const table = await this.resolve(name, internal);
    const [schema, more] = table.logicalName === guess ? await early : await both(table.logicalName);
    return { schema: this.scope.view(schema), extra: more };
  }

  /** Drops the cached schema of one table (or all) and the table list. */
  async refresh(input?: string): Promise<{ tables: string[] | 'all' }> {
    const account = await this.dv.currentAccount();
    const host = this.dv.envHost;
    if (input) {
      const table = await this.resolveTable(input);
      await Promise.all([
        this.cache.delete(cacheKeys.schema(host, account.userKey, table.logicalName)),
        // Cached beside the schema by the relationships service.
        this.cache.delete(`${cacheKeys.schema(host, account.userKey, table.logicalName)}:relationships`),
        this.cache.delete(cacheKeys.tables(host, account.userKey)),
      ]);
      return { tables: [table.logicalName] };
    }
    await Promise.all([
      this.cache.deletePrefix(cacheKeys.schemaPrefix(host, account.userKey)),
      this.cache.delete(cacheKeys.tables(host, account.userKey)),
    ]);
    return { tables: 'all' };
  }

  private async loadSchema(logicalName: string): Promise<TableSchema> {
    const base = entityDefinitionPath(logicalName);
    const cast = (type: string) => `${base}/Attributes/Microsoft.Dynamics.CRM.${type}`;
    const optionsExpand = 'OptionSet($select=Options),GlobalOptionSet($select=Options)';
    const ctx = { context: { table: logicalName } };
    const byName = { ...ctx, expect: { rows: ['LogicalName'] } };
    type Rows<T> = { value: T[] };
    type WithOptions = {
      LogicalName: string;
      OptionSet?: { Options?: RawOption[] } | null;
      GlobalOptionSet?: { Options?: RawOption[] } | null;
    };
    type ManyToOne = { ReferencingAttribute: string; ReferencedEntity: string; ReferencingEntityNavigationPropertyName: string };
    const manyToOneKeys = ['ReferencingAttribute', 'ReferencedEntity', 'ReferencingEntityNavigationPropertyName'];
    // The definition, its attributes and its N:1 relationships in one request ($expand); the type-specific
    // properties need one cast request each (EnumAttributeMetadata is not castable), all in the same wave.
    const [entity, strings, memos, dates, picklists, multi, states, statuses, lookups] = await Promise.all([
      this.dv.get<RawEntity & { Attributes: RawAttribute[]; ManyToOneRelationships: ManyToOne[] }>(base, {
        query: {
          $select: `${ENTITY_SELECT},IsActivity`,
          $expand: `Attributes($select=${ATTRIBUTE_SELECT}),ManyToOneRelationships($select=${manyToOneKeys.join(',')})`,
        },
        expect: { strings: TABLE_KEYS, lists: { Attributes: ['LogicalName'], ManyToOneRelationships: manyToOneKeys } },
        ...ctx,
      }),
      this.dv.get<Rows<{ LogicalName: string; MaxLength?: number }>>(cast('StringAttributeMetadata'), {
        query: { $select: 'LogicalName,MaxLength' },
        ...byName,
      }),
      this.dv.get<Rows<{ LogicalName: string; MaxLength?: number }>>(cast('MemoAttributeMetadata'), {
        query: { $select: 'LogicalName,MaxLength' },
        ...byName,
      }),
      this.dv.get<Rows<{ LogicalName: string; Format?: string }>>(cast('DateTimeAttributeMetadata'), {
        query: { $select: 'LogicalName,Format' },
        ...byName,
      }),
      this.dv.get<Rows<WithOptions>>(cast('PicklistAttributeMetadata'), {
        query: { $select: 'LogicalName', $expand: optionsExpand },
        ...byName,
      }),
      this.optional(
        this.dv.get<Rows<WithOptions>>(cast('MultiSelectPicklistAttributeMetadata'), {
          query: { $select: 'LogicalName', $expand: optionsExpand },
          ...byName,
        }),
      ),
      this.dv.get<Rows<WithOptions>>(cast('StateAttributeMetadata'), {
        query: { $select: 'LogicalName', $expand: 'OptionSet($select=Options)' },
        ...byName,
      }),
      this.dv.get<Rows<WithOptions>>(cast('StatusAttributeMetadata'), {
        query: { $select: 'LogicalName', $expand: 'OptionSet($select=Options)' },
        ...byName,
      }),
      this.dv.get<Rows<{ LogicalName: string; Targets?: string[] }>>(cast('LookupAttributeMetadata'), {
        query: { $select: 'LogicalName,Targets' },
        ...byName,
      }),
    ]);

    const options = new Map<string, RawOption[]>();
    for (const rows of [picklists.body.value, multi?.body.value ?? [], states.body.value, statuses.body.value]) {
      for (const r of rows) {
        const opts = r.OptionSet?.Options?.length ? r.OptionSet.Options : (r.GlobalOptionSet?.Options ?? []);
        options.set(r.LogicalName, opts);
      }
    }
    const navigation = new Map<string, Map<string, string>>();
    for (const r of entity.body.ManyToOneRelationships) {
      const m = navigation.get(r.ReferencingAttribute) ?? new Map<string, string>();
      m.set(r.ReferencedEntity, r.ReferencingEntityNavigationPropertyName);
      navigation.set(r.ReferencingAttribute, m);
    }
    const parts: SchemaParts = {
      attributes: entity.body.Attributes,
      maxLengths: new Map(
        [...strings.body.value, ...memos.body.value]
          .filter((r) => typeof r.MaxLength === 'number')
          .map((r) => [r.LogicalName, r.MaxLength as number]),
      ),
      options,
      dateOnly: new Set(dates.body.value.filter((r) => r.Format === 'DateOnly').map((r) => r.LogicalName)),
      targets: new Map(lookups.body.value.map((r) => [r.LogicalName, r.Targets ?? []])),
      navigation,
    };
    const e = entity.body;
    const fields = buildFields(parts, e.PrimaryIdAttribute, e.PrimaryNameAttribute ?? undefined);
    const targetTables = [...new Set(fields.flatMap((f) => Object.keys(f.to ?? {})))];
    return {
      logicalName: e.LogicalName,
      entitySetName: e.EntitySetName,
      displayName: labelText(e.DisplayName),
      primaryIdAttribute: e.PrimaryIdAttribute,
      primaryNameAttribute: e.PrimaryNameAttribute ?? undefined,
      isActivity: !!e.IsActivity,
      fields,
      entitySets: await this.entitySetsOf(targetTables),
      fieldsJson: { all: JSON.stringify(fields), writable: JSON.stringify(fields.filter((f) => !f.readOnly)) },
    };
  }

  /** Entity set names of lookup targets: from the table list, asking Dataverse only for the rest. */
  private async entitySetsOf(tables: string[]): Promise<Record<string, string>> {
    const known = new Map((await this.allTables()).map((t) => [t.logicalName, t.entitySetName]));
    const result: Record<string, string> = {};
    const missing: string[] = [];
    for (const t of tables.sort()) {
      const set = known.get(t);
      if (set) result[t] = set;
      else if (isLogicalName(t) && this.scope.allows(t)) missing.push(t);
    }
    if (missing.length) {
      const res = await this.optional(
        this.dv.get<{ value: Array<{ LogicalName: string; EntitySetName: string }> }>('EntityDefinitions', {
          query: { $select: 'LogicalName,EntitySetName', $filter: missing.map((m) => `LogicalName eq ${odataString(m)}`).join(' or ') },
          expect: { rows: ['LogicalName'] },
        }),
      );
      for (const r of res?.body.value ?? []) if (r.EntitySetName) result[r.LogicalName] = r.EntitySetName;
    }
    return result;
  }

  /** A metadata query the schema can do without (older environments, missing casts). */
  private async optional<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (error) {
      const kind = dataverseKindOf(error);
      if (kind === 'not_found' || kind === 'bad_request' || kind === 'invalid_field') return undefined;
      throw error;
    }
  }
}

/** Keys a table definition must have as text (the rest are optional). */
const TABLE_KEYS: Array<keyof RawEntity> = ['LogicalName', 'EntitySetName', 'PrimaryIdAttribute'];

interface TableIndex {
  byLogicalName: Map<string, TableInfo>;
  bySetName: Map<string, TableInfo>;
  bySetNameLower: Map<string, TableInfo>;
}

const tableIndexes = new WeakMap<TableInfo[], TableIndex>();

/**
 * The table a name stands for in a table list: its logical name (any case), its entity set name, or that in another
 * case — in that order. A frozen list (memory mode hands out the cached list itself) is indexed once and looked up;
 * any other list (a fresh copy from Redis on every read) is searched.
 */
export function findTable(tables: TableInfo[], name: string): TableInfo | undefined {
  const lower = name.toLowerCase();
  if (!Object.isFrozen(tables)) {
    return (
      tables.find((t) => t.logicalName === lower) ??
      tables.find((t) => t.entitySetName === name) ??
      tables.find((t) => t.entitySetName.toLowerCase() === lower)
    );
  }
  let index = tableIndexes.get(tables);
  if (!index) {
    index = { byLogicalName: new Map(), bySetName: new Map(), bySetNameLower: new Map() };
    // The first of equal names wins, as a search from the start would find it.
    for (const t of tables) {
      if (!index.byLogicalName.has(t.logicalName)) index.byLogicalName.set(t.logicalName, t);
      if (!index.bySetName.has(t.entitySetName)) index.bySetName.set(t.entitySetName, t);
      const lower = t.entitySetName.toLowerCase();
      if (!index.bySetNameLower.has(lower)) index.bySetNameLower.set(lower, t);
    }
    tableIndexes.set(tables, index);
  }
  return index.byLogicalName.get(lower) ?? index.bySetName.get(name) ?? index.bySetNameLower.get(lower);
}

function toTableInfo(e: RawEntity): TableInfo {
  return {
    logicalName: e.LogicalName,
    displayName: labelText(e.DisplayName),
    entitySetName: e.EntitySetName,
    primaryIdAttribute: e.PrimaryIdAttribute,
    primaryNameAttribute: e.PrimaryNameAttribute ?? undefined,
  };
}

/** "Did you mean": nearest logical/entity set/display names by edit distance, plus substring matches. */
export function suggestTables(input: string, tables: TableInfo[], max = 3): TableInfo[] {
  if (!worthSuggesting(input)) return [];
  const q = input.toLowerCase();
  const scored = tables.map((t) => {
    const candidates = [t.logicalName, t.entitySetName.toLowerCase(), ...(t.displayName ? [t.displayName.toLowerCase()] : [])];
    let score = Math.min(...candidates.map((c) => editDistance(q, c)));
    if (candidates.some((c) => c.includes(q) || (q.length >= 4 && q.includes(c)))) score = Math.min(score, 1);
    return { t, score };
  });
  const limit = Math.max(2, Math.floor(q.length / 3));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.t.logicalName.localeCompare(b.t.logicalName))
    .slice(0, max)
    .map((s) => s.t);
}

export function unknownTableMessage(name: string, tables: TableInfo[]): string {
  const suggestions = suggestTables(name, tables);
  const dym = suggestions.length ? ` Did you mean ${suggestions.map((t) => `${t.logicalName} (${t.entitySetName})`).join(', ')}?` : '';
  return `There is no table "${name}" in this Dataverse environment.${dym} Call list_tables (optionally with a filter) to find the right name.`;
}
