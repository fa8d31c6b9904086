import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf, DataverseError } from '../client/dataverse-error';
import { MetadataService } from '../metadata/metadata.service';
import { entityDefinitionPath, recordPath, truncate, validateGuid } from '../client/odata';

/** A relationship through which records of a table can be linked to records of another (collection-valued). */
export interface TableRelationship {
  /** Schema name, e.g. `accountleads_association`. */
  name: string;
  /** Navigation property from this table (case-sensitive). */
  nav: string;
  /** The other table. */
  table: string;
  kind: 'N:N' | '1:N';
}

export interface LinkOutcome {
  table: string;
  id: string;
  relationship: string;
  relatedIds: string[];
}

export const MAX_RELATED_IDS = 100;

/**
 * associate_records / disassociate_records: the relationship is found by schema name or navigation property among
 * the table's N:N and 1:N relationships (loaded from metadata, cached like the schema), then each related record is
 * linked with `POST <record>/<nav>/$ref` or unlinked with `DELETE <record>/<nav>(<id>)/$ref`, in order.
 */
@Injectable()
export class RelationshipsService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The N:N and 1:N relationships of a table to tables in scope (cached for the schema's time). */
  async of(tableInput: string): Promise<TableRelationship[]> {
    const table = await this.metadata.resolveTable(tableInput);
    return this.ofLogicalName(table.logicalName);
  }

  /** The same, for a name already resolved (or about to be: loaded in the schema's wave). */
  async ofLogicalName(logicalName: string): Promise<TableRelationship[]> {
    const account = await this.dv.currentAccount();
    const all = await this.cache.getOrLoad(
      `${cacheKeys.schema(this.dv.envHost, account.userKey, logicalName)}:relationships`,
      this.config.cacheTtl.schemaSeconds,
      () => this.load(logicalName),
    );
    return all.filter((r) => this.metadata.scope.allows(r.table));
  }

  private async load(logicalName: string): Promise<TableRelationship[]> {
    const base = entityDefinitionPath(logicalName);
    const ctx = { context: { table: logicalName } };
    type NN = {
      SchemaName: string;
      Entity1LogicalName: string;
      Entity2LogicalName: string;
      Entity1NavigationPropertyName: string;
      Entity2NavigationPropertyName: string;
    };
    type OneN = { SchemaName: string; ReferencingEntity: string; ReferencedEntityNavigationPropertyName: string };
    const [nn, oneN] = await Promise.all([
      this.dv.get<{ value: NN[] }>(`${base}/ManyToManyRelationships`, {
        query: {
          $select: 'SchemaName,Entity1LogicalName,Entity2LogicalName,Entity1NavigationPropertyName,Entity2NavigationPropertyName',
        },
        ...ctx,
      }),
      this.dv.get<{ value: OneN[] }>(`${base}/OneToManyRelationships`, {
        query: { $select: 'SchemaName,ReferencingEntity,ReferencedEntityNavigationPropertyName' },
        ...ctx,
      }),
    ]);
    const out: TableRelationship[] = [];
    for (const r of nn.body.value) {
      const first = r.Entity1LogicalName === logicalName;
      out.push({
        name: r.SchemaName,
        nav: first ? r.Entity1NavigationPropertyName : r.Entity2NavigationPropertyName,
        table: first ? r.Entity2LogicalName : r.Entity1LogicalName,
        kind: 'N:N',
      });
    }
    for (const r of oneN.body.value) {
      if (r.ReferencedEntityNavigationPropertyName)
        out.push({ name: r.SchemaName, nav: r.ReferencedEntityNavigationPropertyName, table: r.ReferencingEntity, kind: '1:N' });
    }
    return out;
  }

  async link(
    mode: 'associate' | 'disassociate',
    args: { table: string; id: string; relationship: string; relatedTable: string; relatedIds: string[] },
  ): Promise<LinkOutcome> {
    const id = validateGuid(args.id);
    if (!args.relatedIds.length || args.relatedIds.length > MAX_RELATED_IDS) {
      throw new ToolError('invalid_input', `Give 1 to ${MAX_RELATED_IDS} relatedIds; nothing was changed.`);
    }
    const relatedIds = args.relatedIds.map((r, i) => {
      try {
        return validateGuid(r, `relatedIds[${i}]`);
      } catch (error) {
        throw new ToolError('invalid_input', `${(error as Error).message} Nothing was changed.`);
      }
    });
    const [schema, related] = await Promise.all([this.metadata.getSchema(args.table), this.metadata.getSchema(args.relatedTable)]);
    const rels = await this.of(schema.logicalName);
    const wanted = args.relationship.trim().toLowerCase();
    const rel = rels.find((r) => (r.name.toLowerCase() === wanted || r.nav.toLowerCase() === wanted) && r.table === related.logicalName);
    if (!rel) throw wrongRelationship(args.relationship, schema.logicalName, related.logicalName, rels);
    const done: string[] = [];
    for (let i = 0; i < relatedIds.length; i++) {
      const rid = relatedIds[i];
      const path = `${recordPath(schema.entitySetName, id)}/${rel.nav}`;
      try {
        if (mode === 'associate') {
          await this.dv.ref(
            'POST',
            `${path}/$ref`,
            { '@odata.id': `${this.dv.apiUrl}${recordPath(related.entitySetName, rid)}` },
            { context: { table: schema.logicalName, id } },
          );
        } else {
          await this.dv.ref('DELETE', `${path}(${rid})/$ref`, undefined, { context: { table: schema.logicalName, id } });
        }
        done.push(rid);
      } catch (error) {
        throw linkError(error, mode, { schema: schema.logicalName, id, related: related.logicalName, rid, index: i, done });
      }
    }
    return { table: schema.logicalName, id, relationship: rel.name, relatedIds: done };
  }
}

function wrongRelationship(given: string, table: string, relatedTable: string, rels: TableRelationship[]): ToolError {
  const toRelated = rels.filter((r) => r.table === relatedTable);
  const list = (rs: TableRelationship[]) =>
    rs
      .slice(0, 20)
      .map(
        (r) => `${r.name} (${r.kind}${r.nav !== r.name ? `, navigation ${r.nav}` : ''}${r.table !== relatedTable ? ` to ${r.table}` : ''})`,
      )
      .join(', ');
  const text = toRelated.length
    ? `${table} has no relationship "${truncate(given, 80)}" to ${relatedTable}. Its relationships to ${relatedTable}: ${list(toRelated)}.`
    : `${table} has no relationship to ${relatedTable}${rels.some((r) => r.kind === 'N:N') ? `; its N:N relationships: ${list(rels.filter((r) => r.kind === 'N:N'))}` : ''}.`;
  return new ToolError('invalid_input', `${text} Nothing was changed.`);
}

function linkError(
  error: unknown,
  mode: 'associate' | 'disassociate',
  c: { schema: string; id: string; related: string; rid: string; index: number; done: string[] },
): unknown {
  if (!(error instanceof ToolError)) return error;
  const kind = dataverseKindOf(error);
  const cause = (error as { cause?: unknown }).cause;
  const msg = cause instanceof DataverseError ? (cause.info.dataverseMessage ?? '') : '';
  const before = c.done.length
    ? ` relatedIds[0..${c.done.length - 1}] were ${mode === 'associate' ? 'linked' : 'unlinked'} before it; the rest were not sent.`
    : ' Nothing was changed.';
  const where = `relatedIds[${c.index}] (${c.rid})`;
  if (/duplicate key/i.test(msg) || error.details?.code === '0x80040237') {
    return new ToolError('conflict', `${where} is already linked to this ${c.schema}.${before}`, error.details);
  }
  if (kind === 'not_found') {
    const missing = /(\w+) With Id = ([0-9a-fA-F-]{36})/i.exec(msg);
    const what = missing ? `${missing[1]} ${missing[2].toLowerCase()}` : `the ${c.schema} ${c.id} or ${where}`;
    return new ToolError(
      'not_found',
      `${what} does not exist, or you cannot see it.${before} Check the ids with list_records.`,
      error.details,
    );
  }
  if (kind === 'forbidden') {
    return new ToolError('forbidden', `You may not ${mode} these records (${truncate(msg, 200)}).${before}`, error.details);
  }
  return new ToolError(error.kind, `${mode} failed at ${where}: ${error.message}${before}`, error.details);
}
