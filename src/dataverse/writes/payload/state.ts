import type { NameSource } from '../names/name-source';
import type { SchemaField, TableSchema } from '../../metadata/schema-format';
import { truncate } from '../../client/odata';

/**
 * What one build of a Web API body shares between the value kinds: the schema (fields by name, lookups by
 * navigation property), the body being built, which input key set which attribute, and the problems found.
 */

export type WriteMode = 'create' | 'update';

export interface PayloadContext {
  schema: TableSchema;
  mode: WriteMode;
  /** Schema of `activityparty` (partyid navigation names and entity sets); needed only when parties are written. */
  partySchema?: TableSchema;
  /** Resolves lookups given as `{"table", "name"}`; without it such lookups are refused. */
  names?: NameSource;
  /** The user's IANA time zone: date-times without an offset are taken in it; without it they are refused. */
  timeZone?: string;
}

/** A date-time given without an offset, as it was taken. */
export interface LocalTime {
  field: string;
  /** As given, e.g. `2026-12-02T14:00`. */
  local: string;
  /** What is stored, e.g. `2026-12-02T13:00:00Z`. */
  utc: string;
  /** e.g. `Europe/Berlin +01:00`. */
  timeZone: string;
}

export interface BuiltPayload {
  /** The Web API body. */
  body: Record<string, unknown>;
  /** Logical names of the fields the body sets (lookups by their attribute name, parties as `<table>_activity_parties`). */
  fields: string[];
  /** Date-times given without an offset and converted from the user's time zone. */
  localTimes?: LocalTime[];
}

export interface NavInfo {
  field: SchemaField;
  /** Exact navigation property name. */
  nav: string;
  /** Target tables reachable through this navigation property (owner lookups: systemuser and team). */
  targets: string[];
}

export const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
export const BIND_SUFFIX = '@odata.bind';
/** `/accounts(<guid>)`, `accounts(<guid>)` or an absolute URL ending in one. */
export const BIND_PATH =
  /^(?:.*\/)?([A-Za-z][A-Za-z0-9_]{0,127})\(\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?\)$/;

/** Marks a value that could not be converted (its problem is already recorded). */
export const INVALID = Symbol('invalid');
export type Invalid = typeof INVALID;

export class PayloadState {
  readonly schema: TableSchema;
  readonly byName = new Map<string, SchemaField>();
  readonly navs = new Map<string, NavInfo>();
  readonly problems: string[] = [];
  readonly body: Record<string, unknown> = {};
  /** attribute → the input key that set it (to catch the same field set twice). */
  readonly setBy = new Map<string, string>();
  readonly parties: Record<string, unknown>[] = [];
  readonly localTimes: LocalTime[] = [];
  partiesGiven = false;

  constructor(readonly ctx: PayloadContext) {
    this.schema = ctx.schema;
    for (const f of ctx.schema.fields) this.byName.set(f.name, f);
    for (const f of ctx.schema.fields) {
      for (const [table, nav] of Object.entries(f.to ?? {})) {
        const key = nav.toLowerCase();
        const info = this.navs.get(key) ?? { field: f, nav, targets: [] };
        info.targets.push(table);
        this.navs.set(key, info);
      }
    }
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  invalid(text: string): Invalid {
    this.problem(text);
    return INVALID;
  }

  /** Records that `attr` is set by `key`; false (and a problem) when it already was. */
  claim(attr: string, key: string): boolean {
    const earlier = this.setBy.get(attr);
    if (earlier !== undefined) {
      this.problem(`${attr} is set twice (by "${earlier}" and by "${key}"); give it once.`);
      return false;
    }
    this.setBy.set(attr, key);
    return true;
  }

  entitySetOf(table: string): string | undefined {
    return this.schema.entitySets[table] ?? this.ctx.partySchema?.entitySets[table];
  }
}

/** A placeholder id while names are being collected (the first pass never sends its body). */
const PENDING_ID = '00000000-0000-0000-0000-000000000000';

/** The id `name` stands for in `table`, or undefined after recording the problem (`where` prefixes it). */
export function idByName(s: PayloadState, where: string, table: string, name: string): string | undefined {
  if (!s.ctx.names) {
    s.problem(`${where}: lookups by name are not available here; give the id (find it with list_records).`);
    return undefined;
  }
  if (!name.trim()) {
    s.problem(`${where}: "name" is empty; give the ${table}'s name or its id.`);
    return undefined;
  }
  const answer = s.ctx.names.resolve(table, name);
  if (answer === 'pending') return PENDING_ID;
  if ('problem' in answer) {
    s.problem(`${where}: ${answer.problem}`);
    return undefined;
  }
  return answer.id;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `"${truncate(value, 40)}"`;
  return truncate(JSON.stringify(value) ?? String(value), 60);
}

export function listOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
