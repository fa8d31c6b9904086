import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf, DataverseError } from '../client/dataverse-error';
import { MetadataService } from '../metadata/metadata.service';
import type { TableRelationship } from '../metadata/table-relationships';
import { recordPath, truncate, validateGuid } from '../client/odata';

export type { TableRelationship };

export interface LinkOutcome {
  table: string;
  id: string;
  relationship: string;
  relatedIds: string[];
}

export const MAX_RELATED_IDS = 100;

/**
 * associate_records / disassociate_records: the relationship is found by schema name or navigation property among
 * the table's N:N and 1:N relationships (read and cached with its schema), then each related record is
 * linked with `POST <record>/<nav>/$ref` or unlinked with `DELETE <record>/<nav>(<id>)/$ref`, in order.
 */
@Injectable()
export class RelationshipsService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
  ) {}

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
    const rels = await this.metadata.relationshipsOf(schema);
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
