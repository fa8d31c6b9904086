import { Injectable } from '@nestjs/common';
import { ToolError } from '../../../common/tool-error';
import { editDistance } from '../../../common/edit-distance';
import { DataverseClient } from '../../client/dataverse.client';
import { MetadataService } from '../../metadata/metadata.service';
import { odataString, truncate } from '../../client/odata';
import type { TableSchema } from '../../metadata/schema-format';
import { NameAnswer, nameKey, NameRef } from './name-source';

/** Names per query (an `or` of `eq`s), and most distinct names one call may look up. */
const NAMES_PER_QUERY = 40;
export const MAX_NAMES = 400;
const MAX_CANDIDATES = 5;
/** A field that tells records of the same name apart, in order of preference. */
const DISTINGUISHING = ['emailaddress1', 'accountnumber', 'address1_city', 'telephone1', 'jobtitle', 'createdon'];

/**
 * Resolves lookups given by name on the target table's primary name: a case-insensitive exact match (Dataverse
 * compares strings without case), active records first. One query per table for up to 40 names; a name that
 * matches nothing costs one more query to find the closest names.
 */
@Injectable()
export class NameLookupService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
  ) {}

  async resolveAll(refs: NameRef[]): Promise<Map<string, NameAnswer>> {
    if (refs.length > MAX_NAMES) {
      throw new ToolError(
        'invalid_input',
        `This call looks up ${refs.length} different names; at most ${MAX_NAMES} can be resolved at once. Nothing was written. Give ids (from list_records) for some of them.`,
      );
    }
    const byTable = new Map<string, NameRef[]>();
    for (const r of refs) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
    const answers = new Map<string, NameAnswer>();
    await Promise.all(
      [...byTable].map(async ([table, list]) => {
        const schema = await this.metadata.getSchema(table);
        for (let i = 0; i < list.length; i += NAMES_PER_QUERY) {
          const chunk = list.slice(i, i + NAMES_PER_QUERY);
          for (const [k, v] of await this.resolveChunk(schema, chunk)) answers.set(k, v);
        }
      }),
    );
    return answers;
  }

  private async resolveChunk(schema: TableSchema, refs: NameRef[]): Promise<Map<string, NameAnswer>> {
    const out = new Map<string, NameAnswer>();
    const pn = schema.primaryNameAttribute;
    if (!pn) {
      for (const r of refs)
        out.set(nameKey(schema.logicalName, r.name), {
          problem: `${schema.logicalName} has no primary name to look "${r.name}" up by; give the id.`,
        });
      return out;
    }
    const hasState = schema.fields.some((f) => f.name === 'statecode');
    const extras = DISTINGUISHING.filter((f) => schema.fields.some((x) => x.name === f));
    const select = [schema.primaryIdAttribute, pn, ...(hasState ? ['statecode'] : []), ...extras].join(',');
    const filter = refs.map((r) => `${pn} eq ${odataString(r.name)}`).join(' or ');
    const res = await this.dv.get<{ value: Record<string, unknown>[] }>(schema.entitySetName, {
      query: { $select: select, $filter: filter, $top: String(Math.min(5000, refs.length * 20)) },
      prefer: { annotations: ['OData.Community.Display.V1.FormattedValue'] },
      context: { table: schema.logicalName },
    });
    const rows = res.body.value ?? [];
    for (const r of refs) {
      const key = nameKey(schema.logicalName, r.name);
      const matches = rows.filter(
        (row) => typeof row[pn] === 'string' && (row[pn] as string).trim().toLowerCase() === r.name.toLowerCase(),
      );
      const active = hasState ? matches.filter((m) => m.statecode === 0) : matches;
      const pool = active.length ? active : matches;
      if (pool.length === 1) {
        out.set(key, { id: String(pool[0][schema.primaryIdAttribute]).toLowerCase() });
      } else if (pool.length > 1) {
        const candidates = pool.slice(0, MAX_CANDIDATES);
        // The first field whose values tell these candidates apart.
        const extra = extras.find((f) => new Set(candidates.map((m) => m[f] ?? null)).size > 1 && candidates.every((m) => m[f] != null));
        const shown = candidates.map((m) => {
          const id = String(m[schema.primaryIdAttribute]);
          const detail = extra ? (m[`${extra}@OData.Community.Display.V1.FormattedValue`] ?? m[extra]) : undefined;
          return `${id}${detail !== undefined && detail !== null ? ` (${extra} ${truncate(String(detail), 40)})` : ''}`;
        });
        out.set(key, {
          problem: `${pool.length}${pool.length > MAX_CANDIDATES ? '+' : ''} ${active.length ? 'active ' : ''}${schema.logicalName} records are named "${r.name}": ${shown.join(', ')}; ask the user which one and give its id.`,
        });
      } else {
        out.set(key, { problem: await this.noMatch(schema, pn, r.name) });
      }
    }
    return out;
  }

  /** "No account named X" with up to 3 names that come close (sharing its longest word). */
  private async noMatch(schema: TableSchema, pn: string, name: string): Promise<string> {
    const word = name.split(/[^\p{L}\p{N}]+/u).sort((a, b) => b.length - a.length)[0] ?? '';
    let near: string[] = [];
    if (word.length >= 2) {
      const res = await this.dv.get<{ value: Record<string, unknown>[] }>(schema.entitySetName, {
        query: { $select: pn, $filter: `contains(${pn},${odataString(word.slice(0, 50))})`, $top: '50' },
        context: { table: schema.logicalName },
      });
      const names = [...new Set((res.body.value ?? []).map((r) => r[pn]).filter((v): v is string => typeof v === 'string'))];
      near = names
        .map((n) => ({ n, d: editDistance(n.toLowerCase(), name.toLowerCase()) }))
        .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
        .slice(0, 3)
        .map((x) => `"${x.n}"`);
    }
    return `no ${schema.logicalName} is named "${truncate(name, 80)}"${near.length ? `; closest: ${near.join(', ')}` : ''}. Check the name with the user, or find the record with list_records.`;
  }
}
