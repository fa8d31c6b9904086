import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { IdentityService } from '../identity/identity.service';
import { MetadataService } from '../metadata/metadata.service';
import { hasZoneLessTime, userTimeZone } from '../writes/writes.service';
import { NameLookupService } from '../writes/names/name-lookup.service';
import { NameSource, withNames } from '../writes/names/name-source';
import { recordPath, truncate } from '../client/odata';
import { checkPayload, needsPartySchema, type WriteMode } from '../writes/record-payload';
import type { LocalTime } from '../writes/payload/state';
import type { TableSchema } from '../metadata/schema-format';
import { rowProblems } from './row-problems';
import { runChangeSet } from './change-set';

/** The service's limit of requests in one `$batch`, and so the most rows one atomic bulk write can carry. */
export const MAX_BULK_ROWS = 1000;

/** Reports progress of a long call: `progress` only grows; `total` is fixed for the call. */
export type ProgressReporter = (progress: number, total: number, message: string) => Promise<void> | void;

export interface BulkOutcome {
  table: string;
  /** Ids in input order. */
  ids: string[];
  /** How many date-times without an offset were taken in the user's zone, and the zone (for the answer's text). */
  localTimes?: { count: number; timeZone: string; example: string };
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
/** Rows checked between two progress notifications. */
const PROGRESS_EVERY = 100;

/**
 * create_records / update_records: every row goes through the checks of create_record / update_record first;
 * any problem in any row stops the call before anything is sent (all problems, by row index). The rows then go
 * as one `$batch` change set, so Dataverse applies all of them or none.
 */
@Injectable()
export class BulkWritesService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly names: NameLookupService,
    private readonly identity: IdentityService,
  ) {}

  async createMany(tableInput: string, records: unknown[], progress?: ProgressReporter): Promise<BulkOutcome> {
    return this.run(
      'create',
      tableInput,
      records.map((data) => ({ data })),
      progress,
    );
  }

  async updateMany(tableInput: string, updates: Array<{ id: unknown; data: unknown }>, progress?: ProgressReporter): Promise<BulkOutcome> {
    return this.run('update', tableInput, updates, progress);
  }

  private async run(
    mode: WriteMode,
    tableInput: string,
    rows: Array<{ id?: unknown; data: unknown }>,
    progress?: ProgressReporter,
  ): Promise<BulkOutcome> {
    const tool = mode === 'create' ? 'create_records' : 'update_records';
    if (!rows.length) throw new ToolError('invalid_input', `Give at least one row to ${tool}.`);
    if (rows.length > MAX_BULK_ROWS) {
      throw new ToolError(
        'invalid_input',
        `${tool} takes at most ${MAX_BULK_ROWS} rows (the service's limit for one atomic change set); you gave ${rows.length}. Nothing was sent. Split the rows into several calls only if the user accepts that some may succeed while others fail.`,
      );
    }
    const schema = await this.metadata.getSchema(tableInput);
    const total = rows.length + 2;
    const partySchema = rows.some((r) => isObject(r.data) && needsPartySchema(schema, r.data))
      ? await this.metadata.getSchema('activityparty', { internal: true })
      : undefined;

    const label = mode === 'create' ? 'records' : 'updates';
    const timeZone = hasZoneLessTime(rows.map((r) => r.data)) ? await userTimeZone(this.identity) : undefined;
    const { problems, bodies, ids, localTimes } = await withNames(
      (names, firstPass) => checkRows(mode, { schema, partySchema, timeZone }, rows, names, firstPass ? progress : undefined),
      (refs) => this.names.resolveAll(refs),
    );
    if (problems.count) {
      throw new ToolError(
        'invalid_input',
        `Nothing was ${mode === 'create' ? 'created' : 'changed'}: ${problems.rows} of ${rows.length} rows for ${schema.logicalName} have problems:\n${problems.text()}\n` +
          `Fix them and call ${tool} again with all the rows (get_table_schema lists the fields of ${schema.logicalName}).`,
        { problems: problems.count },
      );
    }
    if (progress) await progress(rows.length, total, `${rows.length} rows checked; sending one change set`);

    const requests = bodies.map((body, i) =>
      mode === 'create'
        ? { method: 'POST' as const, url: `${this.dv.apiUrl}${schema.entitySetName}`, body }
        : {
            method: 'PATCH' as const,
            url: `${this.dv.apiUrl}${recordPath(schema.entitySetName, ids[i])}`,
            headers: { 'If-Match': '*' },
            body,
          },
    );
    const result = await runChangeSet(this.dv, requests, {
      what: `${rows.length} ${schema.logicalName} ${mode === 'create' ? 'creates' : 'updates'}`,
      nothing: mode === 'create' ? 'Nothing was created' : 'Nothing was changed',
      check: checkAdvice(schema, mode),
      describeRow: (i) => `${label}[${i}]`,
      explain: (i, status, message) => explainRowFailure(schema, mode, ids[i], status, message),
    });
    if (progress) await progress(rows.length + 1, total, 'change set applied');
    const out = mode === 'create' ? result.map((p, i) => p.entityId ?? failNoId(schema, i)) : ids;
    if (progress) await progress(total, total, 'done');
    return { table: schema.logicalName, ids: out, ...(localTimes.length ? { localTimes: echo(localTimes) } : {}) };
  }
}

/** Every row through the checks of create_record / update_record; the problems by row, and the bodies. */
function checkRows(
  mode: WriteMode,
  { schema, partySchema, timeZone }: { schema: TableSchema; partySchema?: TableSchema; timeZone?: string },
  rows: Array<{ id?: unknown; data: unknown }>,
  names: NameSource,
  progress: ProgressReporter | undefined,
) {
  const total = rows.length + 2;
  const label = mode === 'create' ? 'records' : 'updates';
  const problems = rowProblems(label);
  const bodies: Array<Record<string, unknown>> = [];
  const ids: string[] = [];
  const localTimes: LocalTime[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (mode === 'update') {
      const m = typeof row.id === 'string' ? GUID.exec(row.id.trim()) : null;
      if (!m)
        problems.add(
          i,
          `id must be the GUID of the ${schema.logicalName} to change, not ${truncate(JSON.stringify(row.id) ?? 'nothing', 60)}.`,
        );
      else ids[i] = m[1].toLowerCase();
    }
    try {
      const r = checkPayload(row.data, { schema, mode, partySchema, names, timeZone });
      if (r.payload) {
        bodies.push(r.payload.body);
        localTimes.push(...(r.payload.localTimes ?? []));
      }
      for (const p of r.problems) problems.add(i, p);
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      problems.add(i, error.message);
    }
    if (progress && (i + 1) % PROGRESS_EVERY === 0 && i + 1 < rows.length)
      void progress(i + 1, total, `${i + 1} of ${rows.length} rows checked`);
  }
  if (mode === 'update') {
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
      if (id === undefined) return;
      if (seen.has(id))
        problems.add(i, `the same ${schema.logicalName} (${id}) is already changed by row ${seen.get(id)}; give each record once.`);
      else seen.set(id, i);
    });
  }
  return { problems, bodies, ids, localTimes };
}

function echo(times: LocalTime[]): { count: number; timeZone: string; example: string } {
  const t = times[0];
  return { count: times.length, timeZone: t.timeZone.split(' ')[0], example: `${t.field} ${t.local} ${t.timeZone} = ${t.utc}` };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function failNoId(schema: TableSchema, i: number): never {
  throw new ToolError(
    'internal',
    `Dataverse applied the change set but did not say the id of records[${i}]; the ${schema.logicalName} records were created. Find them with list_records before creating any again.`,
  );
}

function checkAdvice(schema: TableSchema, mode: WriteMode): string {
  return mode === 'create'
    ? `Check with list_records on ${schema.logicalName} (filter createdon ge the time of this call, or on a value from the rows) before doing anything else; do not call create_records again until you know whether the records exist.`
    : `Check a few of the records with get_record (their modifiedon) before doing anything else.`;
}

function explainRowFailure(
  schema: TableSchema,
  mode: WriteMode,
  id: string | undefined,
  status: number,
  message: string | undefined,
): string {
  const reason = message ? truncate(message.trim(), 300) : `HTTP ${status}`;
  const missing = message ? /(\w+) With Id = ([0-9a-fA-F-]{36}) Does Not Exist/i.exec(message) : null;
  if (status === 404 && missing) {
    if (mode === 'update' && missing[2].toLowerCase() === id)
      return `no ${schema.logicalName} with id ${id} exists (or you cannot see it); updates never create records`;
    return `the related ${missing[1]} ${missing[2].toLowerCase()} (given in a lookup or party) does not exist or you cannot see it`;
  }
  if (status === 403) return `permission denied: ${reason}`;
  return `Dataverse said: ${reason}`;
}
