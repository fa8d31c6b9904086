import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient, FORMATTED_ANNOTATIONS } from '../client/dataverse.client';
import { DataverseError, dataverseKindOf } from '../client/dataverse-error';
import { IdentityService } from '../identity/identity.service';
import { MetadataService } from '../metadata/metadata.service';
import { buildQuery, entityDefinitionPath, validateGuid } from '../client/odata';
import { LabelSet, labelText } from '../metadata/schema-format';
import { auditingOffMessage, missingPrivilegeMessage } from './audit-messages';
import { AuditRow, ChangeRow, HistoryRaw, toChanges } from './history-format';
import { localClock } from './local-time';

export const HISTORY_DEFAULT_TOP = 10;
export const HISTORY_MAX_TOP = 50;

export interface HistoryResult {
  table: string;
  id: string;
  changes: ChangeRow[];
  hasMore: boolean;
  note?: string;
}

interface AuditSwitches {
  environment?: boolean;
  table?: boolean;
}

/** A 403 about this audit privilege (or naming none); a 403 about another privilege, e.g. reading the table, is not. */
function isAuditRefusal(e: unknown, privilege: string): boolean {
  if (dataverseKindOf(e) !== 'forbidden') return false;
  const message = ((e as { cause?: DataverseError }).cause?.info?.dataverseMessage ?? '').toString();
  const named = /\bprv[A-Za-z]+/.exec(message)?.[0];
  return !named || named === privilege;
}

/**
 * A record's audit history through `RetrieveRecordChangeHistory`. The documented response carries the old and
 * new values but no AuditRecord (who/when); when it is absent, the `audits` rows of the record (newest first,
 * like the details) give the time, the user and the operation.
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly identity: IdentityService,
  ) {}

  async history(tableInput: string, idInput: string, topInput?: number): Promise<HistoryResult> {
    const id = validateGuid(idInput);
    const top = topInput ?? HISTORY_DEFAULT_TOP;
    if (!Number.isInteger(top) || top < 1 || top > HISTORY_MAX_TOP)
      throw new ToolError('invalid_input', `top must be a whole number from 1 to ${HISTORY_MAX_TOP}.`);
    const table = await this.metadata.resolveTable(tableInput);
    const ctx = { context: { table: table.logicalName, id } };
    const target = encodeURIComponent(`{'@odata.id':'${table.entitySetName}(${id})'}`);
    const paging = encodeURIComponent(JSON.stringify({ PageNumber: 1, Count: top, ReturnTotalRecordCount: true }));
    const historyCall = this.dv
      .getRelative<HistoryRaw>(`RetrieveRecordChangeHistory(Target=@target,PagingInfo=@p)?@target=${target}&@p=${paging}`, {
        prefer: { annotations: FORMATTED_ANNOTATIONS },
        ...ctx,
      })
      .catch((e: unknown) => {
        if (isAuditRefusal(e, 'prvReadRecordAuditHistory'))
          throw new ToolError('forbidden', missingPrivilegeMessage('prvReadRecordAuditHistory'));
        throw e;
      });
    const auditsCall = this.dv
      .getRelative<{ value: AuditRow[] }>(
        `audits${buildQuery({
          $select: 'createdon,_userid_value,action,operation',
          $filter: `_objectid_value eq ${id}`,
          $orderby: 'createdon desc',
        })}`,
        { prefer: { annotations: FORMATTED_ANNOTATIONS, maxPageSize: top }, context: { table: 'audit' } },
      )
      .then((r) => r.body.value)
      .catch((e: unknown) => (isAuditRefusal(e, 'prvReadAuditSummary') ? ('forbidden' as const) : undefined));
    const [raw, schema, labels, clock, switches] = await Promise.all([
      historyCall,
      this.metadata.getSchema(table.logicalName),
      this.displayNames(table.logicalName),
      localClock(this.identity),
      this.switches(table.logicalName),
    ]);
    const collection = raw.body.AuditDetailCollection;
    const details = collection?.AuditDetails ?? [];
    const needAudits = details.some((d) => !d.AuditRecord);
    const audits = needAudits ? await auditsCall : [];
    const changes = toChanges(details, audits === 'forbidden' || !audits ? [] : audits, schema, labels, clock).slice(0, top);
    const off = auditingOffMessage(table.logicalName, switches);
    if (!changes.length) {
      if (off) throw new ToolError('configuration', off);
      return { table: table.logicalName, id, changes, hasMore: false, note: `No changes are recorded for this ${table.logicalName}.` };
    }
    const notes: string[] = [];
    if (audits === 'forbidden') notes.push(`Who and when are missing: ${missingPrivilegeMessage('prvReadAuditSummary')}`);
    if (off) notes.push(`${off} Changes since then are not recorded.`);
    const more = !!collection?.MoreRecords || (collection?.TotalRecordCount ?? 0) > changes.length;
    return { table: table.logicalName, id, changes, hasMore: more, ...(notes.length ? { note: notes.join(' ') } : {}) };
  }

  /** Display name of every field (the schema leaves out labels that only restate the name); empty when unreadable. */
  private async displayNames(table: string): Promise<Map<string, string>> {
    const res = await this.dv
      .get<{ value: Array<{ LogicalName: string; DisplayName?: LabelSet | null }> }>(`${entityDefinitionPath(table)}/Attributes`, {
        query: { $select: 'LogicalName,DisplayName' },
        context: { table },
      })
      .catch(() => undefined);
    const names = new Map<string, string>();
    for (const a of res?.body.value ?? []) {
      const label = labelText(a.DisplayName);
      if (label) names.set(a.LogicalName, label);
    }
    return names;
  }

  /** Environment and table auditing switches; unknown (undefined) when they cannot be read. */
  private async switches(table: string): Promise<AuditSwitches> {
    const [org, def] = await Promise.all([
      this.dv
        .getRelative<{ value: Array<{ isauditenabled?: boolean }> }>('organizations?$select=isauditenabled')
        .then((r) => r.body.value[0]?.isauditenabled)
        .catch(() => undefined),
      this.dv
        .get<{ IsAuditEnabled?: { Value?: boolean } }>(entityDefinitionPath(table), { query: { $select: 'IsAuditEnabled' } })
        .then((r) => r.body.IsAuditEnabled?.Value)
        .catch(() => undefined),
    ]);
    return { environment: org, table: def };
  }
}
