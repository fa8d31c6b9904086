import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../dataverse.client';
import { DeleteImpact, DeleteImpactService, DeleteSummary, RelatedCount, relatedLabel } from '../delete-impact';
import { recordPath, truncate, validateGuid } from '../odata';
import { runChangeSet } from './change-set';

/** Most records one delete proposal can hold. */
export const MAX_BULK_DELETE = 100;
/** Impact summaries read at once. */
const SUMMARY_CONCURRENCY = 4;

export interface BulkDeleteRecord {
  id: string;
  etag?: string;
  name?: string;
}

export interface BulkDeleteImpact {
  table: DeleteImpact['table'];
  records: BulkDeleteRecord[];
  /** One summary for all: counts totalled per relationship, every record named in `text`. */
  summary: DeleteSummary & { records: Array<{ id: string; name?: string }> };
}

/**
 * delete_record with `ids`: one impact summary for all the records (each read with its etag, the cascades
 * totalled), and on confirmation one change set of DELETEs, each with its record's etag as If-Match: all are
 * deleted or none.
 */
@Injectable()
export class BulkDeleteService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly impact: DeleteImpactService,
  ) {}

  async summarize(tableInput: string, idsInput: string[]): Promise<BulkDeleteImpact> {
    if (!idsInput.length || idsInput.length > MAX_BULK_DELETE) {
      throw new ToolError('invalid_input', `ids takes 1 to ${MAX_BULK_DELETE} record ids; nothing was proposed.`);
    }
    const ids = idsInput.map((id, i) => validateGuid(id, `ids[${i}]`));
    const dup = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (dup >= 0) throw new ToolError('invalid_input', `ids[${dup}] (${ids[dup]}) is given twice; give each record once.`);
    const impacts = await mapLimit(ids, SUMMARY_CONCURRENCY, (id) => this.impact.summarize(tableInput, id));
    const table = impacts[0].table;
    const total = (pick: (s: DeleteSummary) => RelatedCount[]) => {
      const byRel = new Map<string, RelatedCount>();
      for (const s of impacts.map((x) => x.summary))
        for (const r of pick(s)) {
          const prev = byRel.get(r.relationship);
          if (!prev) byRel.set(r.relationship, { ...r });
          else {
            prev.count = prev.count === null || r.count === null ? null : prev.count + r.count;
            if (r.atLeast) prev.atLeast = true;
          }
        }
      return [...byRel.values()];
    };
    const blockedBy = impacts.filter((x) => x.summary.blocked);
    const records = impacts.map((x) => ({ id: x.id, ...(x.summary.name ? { name: x.summary.name } : {}) }));
    const summary = {
      table: table.logicalName,
      id: ids[0],
      fields: {},
      deletedWithIt: total((s) => s.deletedWithIt),
      unlinked: total((s) => s.unlinked),
      blocking: total((s) => s.blocking),
      blocked: blockedBy.length > 0,
      records,
      text: '',
    };
    const named = records.map((r, i) => `${i + 1}. ${r.name ? `"${truncate(r.name, 80)}" ` : ''}(${r.id})`).join('; ');
    const each = impacts.map((x) => x.summary.text.replace(/^Delete [^.]*\(id [^)]*\)\. /, ''));
    summary.text =
      `Delete ${ids.length} ${table.logicalName} records, all or none: ${named}. ` +
      (blockedBy.length
        ? `Refused for ${blockedBy.map((b) => b.summary.name ?? b.id).join(', ')}: other records still reference ${blockedBy.length === 1 ? 'it' : 'them'}; reassign or delete them first. `
        : '') +
      (summary.deletedWithIt.length
        ? `Also deleted with them (cascade, in total): ${summary.deletedWithIt.map((r) => `${r.count ?? '?'}${r.atLeast ? '+' : ''} ${relatedLabel(r)}`).join(', ')}. `
        : 'No related records are deleted with them. ') +
      (summary.unlinked.length
        ? `Will lose their link (kept): ${summary.unlinked.map((r) => `${r.count ?? '?'} ${relatedLabel(r)}`).join(', ')}.`
        : '') +
      (ids.length <= 5 ? ` Per record: ${each.map((t, i) => `${i + 1}. ${t}`).join(' ')}` : '');
    return {
      table,
      records: impacts.map((x) => ({ id: x.id, etag: x.etag, ...(x.summary.name ? { name: x.summary.name } : {}) })),
      summary: { ...summary, text: summary.text.trim() },
    };
  }

  /** Deletes every record with its etag as If-Match, in one change set; a changed record stops all of them. */
  async execute(p: { table: string; entitySet: string; records: BulkDeleteRecord[] }): Promise<void> {
    const label = (i: number) => {
      const r = p.records[i];
      return `${p.table}${r?.name ? ` "${r.name}"` : ''} (${r?.id})`;
    };
    await runChangeSet(
      this.dv,
      p.records.map((r) => ({
        method: 'DELETE' as const,
        url: `${this.dv.apiUrl}${recordPath(p.entitySet, r.id)}`,
        headers: r.etag ? { 'If-Match': r.etag } : undefined,
      })),
      {
        what: `${p.records.length} ${p.table} deletes`,
        nothing: 'Nothing was deleted',
        check: `Check with get_record on a few of the ids before doing anything else; do not confirm again.`,
        describeRow: label,
        next: () => 'The token is used up.',
        explain: (_i, status, message) =>
          status === 412
            ? 'it was changed after the delete was proposed (the user approved the version they saw). Call delete_record again for a fresh summary and ask the user again'
            : status === 404
              ? 'it no longer exists (or you can no longer see it). Call delete_record again without it'
              : /associated with another object/i.test(message ?? '')
                ? 'other records still reference it (a restrict relationship). Reassign or delete those first'
                : `Dataverse said: ${truncate(message ?? `HTTP ${status}`, 300)}`,
      },
    );
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
