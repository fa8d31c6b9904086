import { Inject, Injectable, Logger } from '@nestjs/common';
import { mapLimited } from '../../common/map-limited';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheService } from '../../cache/cache.service';
import { cacheKeys } from '../../cache/cache-keys';
import { ToolError } from '../../common/tool-error';
import { DataverseClient, FORMATTED_ANNOTATIONS } from '../client/dataverse.client';
import { DataverseError, dataverseKindOf } from '../client/dataverse-error';
import { formatRecord } from '../records/formatting';
import { MetadataService, TableInfo } from '../metadata/metadata.service';
import { LabelSet, labelText } from '../metadata/schema-format';
import { entityDefinitionPath, recordPath, validateGuid } from '../client/odata';
import { DeleteWords, loadDeleteWords, OUTSIDE_SCOPE, summaryText } from './words/delete-words';

import type { DeleteSummary, RelatedCount } from './delete-summary';

export { OUTSIDE_SCOPE, summaryText };
export type { DeleteSummary, RelatedCount } from './delete-summary';

/** A one-to-many relationship of the table being deleted, as far as a delete cares. */
export interface OneToManyRelationship {
  schemaName: string;
  referencingEntity: string;
  referencingAttribute: string;
  /** `CascadeConfiguration.Delete`: Cascade | RemoveLink | Restrict (anything else is treated like RemoveLink). */
  cascadeDelete: string;
}

export interface DeleteImpact {
  table: TableInfo;
  id: string;
  /** `@odata.etag` of the record as it was summarised. */
  etag?: string;
  summary: DeleteSummary;
  /** Display names the summary text uses. */
  words: DeleteWords;
}

/** Identifying fields shown in a summary, in order of preference (the first few present are used). */
const IDENTIFYING_FIELDS = [
  'emailaddress1',
  'accountnumber',
  'telephone1',
  'jobtitle',
  'parentcustomerid',
  'customerid',
  'regardingobjectid',
  'scheduledstart',
  'scheduledend',
  'address1_city',
  'statuscode',
  'ownerid',
  'modifiedon',
];
const MAX_IDENTIFYING = 5;
/** Most relationships counted for one summary, and how many count queries run at once. */
const MAX_COUNTED = 60;
const COUNT_CONCURRENCY = 6;
const COUNT_CAP = 5000;
/** Blocking records named per restrict relationship. */
const MAX_BLOCKING_NAMED = 3;
const FIELD_NAME = /^[a-z][a-z0-9_]{0,127}$/;
const RANK: Record<string, number> = { Restrict: 0, Cascade: 1, RemoveLink: 2 };

/**
 * Delete proposals' impact summary and the delete itself. The summary reads the record (primary name, a few
 * identifying fields, its etag) and, for each one-to-many relationship, counts the related records with
 * `$count=true` on `_<lookup>_value eq <id>`: cascade relationships say what goes too, restrict ones say why the
 * delete will be refused, remove-link ones say what loses its link. One-to-many relationships are cached like
 * the schema (under the same prefix, so refresh_schema_cache for all tables drops them too).
 */
@Injectable()
export class DeleteImpactService {
  private readonly logger = new Logger('DeleteImpact');

  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly cache: CacheService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One-to-many relationships of a table (cached for CACHE_TTL_SCHEMA_SECONDS). */
  async oneToMany(logicalName: string): Promise<OneToManyRelationship[]> {
    const account = await this.dv.currentAccount();
    const key = `${cacheKeys.schemaPrefix(this.dv.envHost, account.userKey)}${logicalName}:one-to-many`;
    return this.cache.getOrLoad(key, this.config.cacheTtl.schemaSeconds, async () => {
      const res = await this.dv.get<{
        value: Array<{
          SchemaName: string;
          ReferencingEntity: string;
          ReferencingAttribute: string;
          CascadeConfiguration?: { Delete?: string } | null;
        }>;
      }>(`${entityDefinitionPath(logicalName)}/OneToManyRelationships`, {
        query: { $select: 'SchemaName,ReferencingEntity,ReferencingAttribute,CascadeConfiguration' },
        context: { table: logicalName },
        expect: { rows: ['SchemaName', 'ReferencingEntity', 'ReferencingAttribute'] },
      });
      return res.body.value.map((r) => ({
        schemaName: r.SchemaName,
        referencingEntity: r.ReferencingEntity,
        referencingAttribute: r.ReferencingAttribute,
        cascadeDelete: r.CascadeConfiguration?.Delete ?? 'RemoveLink',
      }));
    });
  }

  async summarize(tableInput: string, idInput: string): Promise<DeleteImpact> {
    const id = validateGuid(idInput);
    const table = await this.metadata.resolveTable(tableInput);
    const res = await this.dv.get<Record<string, unknown>>(recordPath(table.entitySetName, id), {
      prefer: { annotations: FORMATTED_ANNOTATIONS },
      context: { table: table.logicalName, id },
    });
    const etag = typeof res.body['@odata.etag'] === 'string' ? (res.body['@odata.etag'] as string) : undefined;
    const record = formatRecord(res.body);
    const name =
      table.primaryNameAttribute && typeof record[table.primaryNameAttribute] === 'string'
        ? (record[table.primaryNameAttribute] as string)
        : undefined;
    const fields: Record<string, unknown> = {};
    for (const f of IDENTIFYING_FIELDS) {
      if (Object.keys(fields).length >= MAX_IDENTIFYING) break;
      if (f === table.primaryNameAttribute || record[f] === undefined) continue;
      const linked = (record[f] as { table?: unknown } | null)?.table;
      if (typeof linked === 'string' && !this.metadata.scope.allows(linked)) continue; // a record outside the scope: not named
      fields[f] = display(record, f);
    }

    // Out-of-scope tables are counted (a delete reaches them too) but never named: see count().
    const [relationships, tables] = await Promise.all([this.oneToMany(table.logicalName), this.metadata.listTablesUnscoped()]);
    const byName = new Map(tables.map((t) => [t.logicalName, t]));
    const chosen = new Map<string, OneToManyRelationship>();
    let notChecked = 0;
    for (const r of relationships) {
      if (!byName.has(r.referencingEntity) || !FIELD_NAME.test(r.referencingAttribute)) {
        notChecked++;
        continue;
      }
      const key = `${r.referencingEntity}.${r.referencingAttribute}`;
      const seen = chosen.get(key);
      if (!seen || (RANK[r.cascadeDelete] ?? 3) < (RANK[seen.cascadeDelete] ?? 3)) chosen.set(key, r);
    }
    const ordered = [...chosen.values()].sort(
      (a, b) => (RANK[a.cascadeDelete] ?? 3) - (RANK[b.cascadeDelete] ?? 3) || a.schemaName.localeCompare(b.schemaName),
    );
    notChecked += Math.max(0, ordered.length - MAX_COUNTED);
    const counted = await mapLimited(ordered.slice(0, MAX_COUNTED), COUNT_CONCURRENCY, (r) =>
      this.count(r, byName.get(r.referencingEntity)!, id),
    );

    const pick = (cascade: (c: string) => boolean) =>
      counted.filter((c) => cascade(c.cascadeDelete) && c.result.count !== 0).map((c) => c.result);
    const deletedWithIt = pick((c) => c === 'Cascade');
    const blocking = pick((c) => c === 'Restrict');
    const unlinked = pick((c) => c !== 'Cascade' && c !== 'Restrict');
    const blocked = blocking.some((b) => (b.count ?? 0) > 0);
    const summary: DeleteSummary = {
      table: table.logicalName,
      id,
      ...(name !== undefined ? { name } : {}),
      fields,
      deletedWithIt,
      unlinked,
      blocking,
      blocked,
      ...(notChecked ? { notChecked } : {}),
      text: '',
    };
    const words = await loadDeleteWords(table, Object.keys(fields), [...deletedWithIt, ...unlinked, ...blocking], byName, (t, f) =>
      this.fieldLabels(t, f),
    );
    summary.text = summaryText(summary, words);
    return { table, id, etag, summary, words };
  }

  /**
   * DELETE with the etag read for the summary as `If-Match`: a record changed since the user saw the summary
   * is not deleted (412), so nobody deletes changes they did not see.
   */
  async execute(p: { table: string; entitySet: string; id: string; etag?: string; summary?: Record<string, unknown> }): Promise<void> {
    const label = `${p.table}${typeof p.summary?.name === 'string' ? ` "${p.summary.name}"` : ''} (${p.id})`;
    try {
      await this.dv.delete(p.entitySet, p.id, { ifMatch: p.etag, context: { table: p.table, id: p.id } });
    } catch (error) {
      const kind = dataverseKindOf(error);
      const cause = (error as { cause?: unknown }).cause;
      const dvMessage = cause instanceof DataverseError ? (cause.info.dataverseMessage ?? '') : '';
      const code = cause instanceof DataverseError ? cause.info.code : undefined;
      if (kind === 'precondition_failed') {
        throw new ToolError(
          'conflict',
          `The ${label} record was changed after the delete was proposed, so it was NOT deleted (the user approved the version they saw, not the current one). ` +
            'Call delete_record again to get a fresh summary and ask the user again.',
          { reason: 'changed_since_proposal' },
        );
      }
      if (kind === 'not_found') {
        throw new ToolError(
          'not_found',
          `The ${label} record no longer exists (or you can no longer see it): nothing was deleted now. Check with list_records.`,
          {
            reason: 'record_gone',
          },
        );
      }
      if (kind === 'network' || kind === 'timeout' || kind === 'unavailable' || kind === 'bad_response') {
        // The DELETE may have been carried out before the failure: say so, never "try again" (the token is used up anyway).
        throw new ToolError(
          'unavailable',
          `${(error as Error).message} The outcome is unknown: the ${label} record may have been deleted, and the confirmation token is used up. ` +
            'Check with get_record whether it still exists; only if it does and the user still wants it deleted, start again with delete_record.',
          { ...(error instanceof ToolError ? error.details : {}), reason: 'outcome_unknown' },
        );
      }
      if (code === '0x80040227' || /associated with another object|cannot be deleted/i.test(dvMessage)) {
        throw new ToolError(
          'conflict',
          `Dataverse refused to delete the ${label} record because other records still reference it (a restrict relationship); nothing was deleted. ` +
            'Reassign or delete those records first, then call delete_record again.',
          { reason: 'restricted' },
        );
      }
      throw error;
    }
  }

  /** Display names of a few fields of a table (one filtered metadata request, cached like the schema). */
  private async fieldLabels(logicalName: string, fields: string[]): Promise<Record<string, string>> {
    const names = fields.filter((f) => FIELD_NAME.test(f));
    if (!names.length) return {};
    const account = await this.dv.currentAccount();
    const key = `${cacheKeys.schemaPrefix(this.dv.envHost, account.userKey)}${logicalName}:labels:${names.join(',')}`;
    return this.cache.getOrLoad(key, this.config.cacheTtl.schemaSeconds, async () => {
      const res = await this.dv.get<{ value: Array<{ LogicalName: string; DisplayName?: LabelSet | null }> }>(
        `${entityDefinitionPath(logicalName)}/Attributes`,
        {
          query: { $select: 'LogicalName,DisplayName', $filter: names.map((n) => `LogicalName eq '${n}'`).join(' or ') },
          context: { table: logicalName },
          expect: { rows: ['LogicalName'] },
        },
      );
      const out: Record<string, string> = {};
      for (const a of res.body.value) {
        const label = labelText(a.DisplayName);
        if (label) out[a.LogicalName] = label;
      }
      return out;
    });
  }

  private async count(r: OneToManyRelationship, related: TableInfo, id: string): Promise<{ cascadeDelete: string; result: RelatedCount }> {
    const hidden = !this.metadata.scope.allows(related.logicalName);
    const base: RelatedCount = hidden
      ? { relationship: OUTSIDE_SCOPE, table: OUTSIDE_SCOPE, field: OUTSIDE_SCOPE, count: null }
      : { relationship: r.schemaName, table: r.referencingEntity, field: r.referencingAttribute, count: null };
    try {
      // Restrict: the same query names the first few blocking records, so the user knows which to reassign.
      const restrict = r.cascadeDelete === 'Restrict';
      const nameField =
        !hidden && restrict && related.primaryNameAttribute && FIELD_NAME.test(related.primaryNameAttribute)
          ? related.primaryNameAttribute
          : undefined;
      const res = await this.dv.get<{ '@odata.count'?: number; value?: Array<Record<string, unknown>> }>(related.entitySetName, {
        query: {
          $select: nameField ? `${related.primaryIdAttribute},${nameField}` : related.primaryIdAttribute,
          $filter: `_${r.referencingAttribute}_value eq ${id}`,
          $count: 'true',
          $top: String(restrict && !hidden ? MAX_BLOCKING_NAMED : 1),
        },
        context: { table: related.logicalName },
      });
      const n = res.body['@odata.count'];
      if (typeof n !== 'number') return { cascadeDelete: r.cascadeDelete, result: base };
      const records =
        restrict && n > 0 && !hidden ? blockingRecords(res.body.value ?? [], related.primaryIdAttribute, nameField) : undefined;
      const result = { ...base, count: n, ...(n >= COUNT_CAP ? { atLeast: true as const } : {}), ...(records?.length ? { records } : {}) };
      return { cascadeDelete: r.cascadeDelete, result };
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      if (error.kind === 'sign_in_required' || error.kind === 'throttled' || error.kind === 'unavailable') throw error;
      this.logger.debug({ relationship: r.schemaName, kind: error.kind }, 'could not count related records');
      return { cascadeDelete: r.cascadeDelete, result: base };
    }
  }
}

function display(record: Record<string, unknown>, field: string): unknown {
  const value = record[field];
  const label = record[`${field}@label`];
  if (typeof label === 'string') return label;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const l = value as { id?: string; name?: string; table?: string };
    return l.name ?? `${l.table ?? ''} ${l.id ?? ''}`.trim();
  }
  return value;
}

function blockingRecords(rows: Array<Record<string, unknown>>, idField: string, nameField?: string): Array<{ id: string; name?: string }> {
  return rows.slice(0, MAX_BLOCKING_NAMED).flatMap((row) => {
    const rid = row[idField];
    if (typeof rid !== 'string') return [];
    const name = nameField ? row[nameField] : undefined;
    return [{ id: rid, ...(typeof name === 'string' && name ? { name } : {}) }];
  });
}
