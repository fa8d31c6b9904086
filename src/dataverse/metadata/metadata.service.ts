import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf } from '../client/dataverse-error';
import { entityDefinitionPath, isLogicalName, odataString, validateTableName } from '../client/odata';
import { labelText, TableSchema } from './schema-format';
import { findTable, suggestTables, TableInfo, unknownTableMessage } from './find-table';
import { outsideScope, tableScopeOf, TableScope } from '../scope/table-scope';
import { ENTITY_SELECT, optionalMetadata, RawEntity, readRelationships, readSchema, TABLE_KEYS } from './schema-read';
import type { TableRelationship } from './table-relationships';

const TABLE_FILTER = 'IsPrivate eq false and IsIntersect eq false and IsValidForAdvancedFind eq true';
export { findTable, suggestTables, unknownTableMessage };
export type { TableInfo };

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

  /**
   * The N:N and 1:N relationships to tables in scope of a schema from getSchema or schemaOf (read and cached with
   * it); a schema cached by an earlier version has none, and they are read on their own.
   */
  async relationshipsOf(schema: TableSchema): Promise<TableRelationship[]> {
    if (schema.relationships) return schema.relationships;
    return (await readRelationships(this.dv, schema.logicalName)).filter((r) => this.scope.allows(r.table));
  }

  /** Drops the cached schema of one table (or all) and the table list. */
  async refresh(input?: string): Promise<{ tables: string[] | 'all' }> {
    const account = await this.dv.currentAccount();
    const host = this.dv.envHost;
    if (input) {
      const table = await this.resolveTable(input);
      await Promise.all([
        this.cache.delete(cacheKeys.schema(host, account.userKey, table.logicalName)),
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
    return readSchema(this.dv, logicalName, (tables) => this.entitySetsOf(tables));
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
      const res = await optionalMetadata(
        this.dv.get<{ value: Array<{ LogicalName: string; EntitySetName: string }> }>('EntityDefinitions', {
          query: { $select: 'LogicalName,EntitySetName', $filter: missing.map((m) => `LogicalName eq ${odataString(m)}`).join(' or ') },
          expect: { rows: ['LogicalName'] },
        }),
      );
      for (const r of res?.body.value ?? []) if (r.EntitySetName) result[r.LogicalName] = r.EntitySetName;
    }
    return result;
  }
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
