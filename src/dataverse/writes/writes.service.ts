import { Injectable } from '@nestjs/common';
import { ToolError } from '../../common/tool-error';
import { DataverseClient } from '../client/dataverse.client';
import { DataverseError, dataverseKindOf } from '../client/dataverse-error';
import { IdentityService } from '../identity/identity.service';
import { MetadataService } from '../metadata/metadata.service';
import { isZoneLessDateTime } from './payload/date-times';
import type { LocalTime } from './payload/state';
import { NameLookupService } from './names/name-lookup.service';
import { withNames } from './names/name-source';
import { buildQuery, truncate, validateGuid } from '../client/odata';
import { buildPayload, needsPartySchema, type WriteMode } from './record-payload';
import type { TableSchema } from '../metadata/schema-format';

export interface WriteOutcome {
  table: string;
  entitySetName: string;
  id: string;
  /** Primary name of the record after the write, when the table has one. */
  name?: string;
  /** Logical names of the fields written. */
  fields: string[];
  /** Date-times given without an offset: as given, as stored (UTC), and the zone used. */
  localTimes?: LocalTime[];
}

/**
 * create_record / update_record: `data` is checked and translated against the cached schema
 * (record-payload.ts) before anything is sent, so a refused write never reaches Dataverse. Create asks for
 * `return=representation` with `$select` of the primary id and name; update always sends `If-Match: *`,
 * so a missing record is a 404 and never an accidental upsert.
 */
@Injectable()
export class WritesService {
  constructor(
    private readonly dv: DataverseClient,
    private readonly metadata: MetadataService,
    private readonly names: NameLookupService,
    private readonly identity: IdentityService,
  ) {}

  async create(tableInput: string, data: unknown): Promise<WriteOutcome> {
    const schema = await this.metadata.getSchema(tableInput);
    const { body, fields, localTimes } = await this.payload(schema, data, 'create');
    try {
      const res = await this.dv.post(schema.entitySetName + buildQuery({ $select: selectOf(schema) }), body, {
        returnRepresentation: true,
        idAttribute: schema.primaryIdAttribute,
        context: { table: schema.logicalName },
      });
      if (!res.id) {
        throw new ToolError(
          'internal',
          `Dataverse accepted the new ${schema.logicalName} but did not say its id; find it with list_records before creating it again.`,
        );
      }
      return {
        table: schema.logicalName,
        entitySetName: schema.entitySetName,
        id: res.id,
        name: nameOf(schema, res.record),
        fields,
        ...(localTimes ? { localTimes } : {}),
      };
    } catch (error) {
      throw explainWriteError(error, schema, 'create');
    }
  }

  async update(tableInput: string, idInput: string, data: unknown): Promise<WriteOutcome> {
    const id = validateGuid(idInput);
    const schema = await this.metadata.getSchema(tableInput);
    const { body, fields, localTimes } = await this.payload(schema, data, 'update');
    try {
      // If-Match: * : update only, never create. (PATCH takes no $select here: the representation is the whole record.)
      const res = await this.dv.patch(schema.entitySetName, id, body, {
        returnRepresentation: true,
        ifMatch: '*',
        idAttribute: schema.primaryIdAttribute,
        context: { table: schema.logicalName },
      });
      return {
        table: schema.logicalName,
        entitySetName: schema.entitySetName,
        id,
        name: nameOf(schema, res.record),
        fields,
        ...(localTimes ? { localTimes } : {}),
      };
    } catch (error) {
      throw explainWriteError(error, schema, 'update', id);
    }
  }

  private async payload(schema: TableSchema, data: unknown, mode: WriteMode) {
    const partySchema =
      data && typeof data === 'object' && !Array.isArray(data) && needsPartySchema(schema, data as Record<string, unknown>)
        ? await this.metadata.getSchema('activityparty', { internal: true })
        : undefined;
    const timeZone = hasZoneLessTime([data]) ? await userTimeZone(this.identity) : undefined;
    return withNames(
      (names) => buildPayload(data, { schema, mode, partySchema, names, timeZone }),
      (refs) => this.names.resolveAll(refs),
    );
  }
}

/** True when any top-level value of any row is a date-time without an offset. */
export function hasZoneLessTime(rows: unknown[]): boolean {
  return rows.some((d) => !!d && typeof d === 'object' && Object.values(d as Record<string, unknown>).some(isZoneLessDateTime));
}

/** The signed-in user's IANA time zone (identity is cached), or undefined when Dataverse's zone has no IANA mapping. */
export async function userTimeZone(identity: IdentityService): Promise<string | undefined> {
  try {
    return (await identity.getIdentity()).timeZone.ianaId;
  } catch (error) {
    // Sign-in problems must surface as they are; anything else only means zone-less times are refused.
    if (error instanceof ToolError && (error.kind === 'sign_in_required' || error.kind === 'sign_in_failed')) throw error;
    return undefined;
  }
}

function selectOf(schema: TableSchema): string {
  return [schema.primaryIdAttribute, schema.primaryNameAttribute].filter(Boolean).join(',');
}

function nameOf(schema: TableSchema, record: Record<string, unknown> | undefined): string | undefined {
  const value = schema.primaryNameAttribute ? record?.[schema.primaryNameAttribute] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Write failures in the words of the write: a 404 names whether the record itself or a related record
 * (a lookup or party) is missing, and every message says that nothing was changed where that is certain.
 */
export function explainWriteError(error: unknown, schema: TableSchema, mode: WriteMode, id?: string): unknown {
  if (!(error instanceof ToolError)) return error;
  const kind = dataverseKindOf(error);
  const cause = (error as { cause?: unknown }).cause;
  const dvMessage = cause instanceof DataverseError ? (cause.info.dataverseMessage ?? '') : '';
  const nothing = mode === 'create' ? 'Nothing was created.' : 'Nothing was changed.';
  if (kind === 'not_found') {
    const missing = /(\w+) With Id = ([0-9a-fA-F-]{36}) Does Not Exist/i.exec(dvMessage);
    if (missing && (mode === 'create' || missing[2].toLowerCase() !== id)) {
      return new ToolError(
        'not_found',
        `The related ${missing[1]} record ${missing[2].toLowerCase()} (given in a lookup or party) does not exist, or you cannot see it. ${nothing} ` +
          `Find the right id with list_records on ${missing[1]} and try again.`,
        error.details,
      );
    }
    if (mode === 'update') {
      return new ToolError(
        'not_found',
        `No ${schema.logicalName} record with id ${id} exists, or you cannot see it, so nothing was updated (and nothing was created: updates never create records). ` +
          `Check the id with list_records, or use create_record to make a new ${schema.logicalName}.`,
        error.details,
      );
    }
  }
  if (kind === 'bad_request' && dvMessage) {
    return new ToolError(
      'invalid_input',
      `Dataverse refused the ${mode === 'create' ? 'new' : 'changed'} ${schema.logicalName}: ${truncate(dvMessage.trim(), 400)} ${nothing} Check the values against get_table_schema and try again.`,
      error.details,
    );
  }
  if (kind === 'invalid_field') {
    return new ToolError(
      'invalid_input',
      `${error.message} ${nothing} If the table was customized recently, call refresh_schema_cache first.`,
      error.details,
    );
  }
  return error;
}
