import { Injectable } from '@nestjs/common';
import { mapLimited } from '../../common/map-limited';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { DeleteImpact, DeleteImpactService, DeleteSummary, RelatedCount } from '../delete/delete-impact';
import { impactText } from '../delete/words/delete-words';
import { recordPath, truncate, validateGuid } from '../client/odata';
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
    const impacts = await mapLimited(ids, SUMMARY_CONCURRENCY, (id) => this.impact.summarize(tableInput, id));
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
    const words = { ...impacts[0].words, related: Object.assign({}, ...impacts.map((x) => x.words.related)) };
    const named = records.map((r, i) => `${i + 1}. ${r.name ? `"${truncate(r.name, 80)}"` : r.id}`).join('; ');
    const refused = blockedBy.length
      ? `Refused for ${blockedBy.map((b) => (b.summary.name ? `"${truncate(b.summary.name, 80)}"` : b.id)).join(', ')}: other records still point to ${blockedBy.length === 1 ? 'it' : 'them'}. `
      : '';
    const totals = impactText({ ...summary, blocked: false, blocking: [] }, words, 'them');
    const worded = impacts
      .map((x, i) => ({ i, text: impactText(x.summary, x.words) }))
      .filter((x) => !/^No related records are deleted with it\.$/.test(x.text));
    const each = ids.length <= 5 && worded.length ? ` Per record: ${worded.map((x) => `${x.i + 1}. ${x.text}`).join(' ')}` : '';
    summary.text = `Delete ${ids.length} ${words.table} records, all or none: ${named}. ${refused}${totals}${each}`;
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
