import { ToolError } from '../../../common/tool-error';
import { truncate } from '../../client/odata';
import type { SchemaField } from '../../metadata/schema-format';
import { finishParties, isPartiesKey, writeParties, writePartyList } from './activity-parties';
import { suggestFieldNames } from './field-names';
import { navigationWithoutBind, writeLookup, writeRawBind } from './lookups';
import { convertValue } from './plain-values';
import { BIND_SUFFIX, BuiltPayload, INVALID, PayloadContext, PayloadState } from './state';

/**
 * One build: each key of `data` goes to the value kind that handles it (parties, raw binds, lookups, party
 * lists, plain values); create checks required fields; every problem is collected and reported at once.
 */
export function build(data: unknown, ctx: PayloadContext): BuiltPayload {
  const problems = collectProblems(data, ctx);
  if (problems.payload) return problems.payload;
  const list = problems.list;
  const table = ctx.schema.logicalName;
  throw new ToolError(
    'invalid_input',
    `Nothing was ${ctx.mode === 'create' ? 'created' : 'changed'}: the data for ${table} has ${list.length === 1 ? 'a problem' : `${list.length} problems`}:\n${list.length === 1 ? list[0] : list.map((p) => `- ${p}`).join('\n')}\n` +
      `Fix ${list.length === 1 ? 'it' : 'them'} and call ${ctx.mode === 'create' ? 'create_record' : 'update_record'} again (get_table_schema lists the fields of ${table}).`,
    { problems: list.length },
  );
}

/** The payload, or the list of problems (a non-object or empty `data` throws at once). */
export function collectProblems(data: unknown, ctx: PayloadContext): { payload?: BuiltPayload; list: string[] } {
  const s = new PayloadState(ctx);
  const table = s.schema.logicalName;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ToolError(
      'invalid_input',
      `data must be a JSON object of field names and values, e.g. {"${s.schema.primaryNameAttribute ?? 'name'}": "..."}; call get_table_schema for the fields of ${table}.`,
    );
  }
  const entries = Object.entries(data as Record<string, unknown>);
  if (!entries.length) {
    throw new ToolError(
      'invalid_input',
      `data is empty: give at least one field to ${ctx.mode === 'create' ? 'set on the new record' : 'change'}; call get_table_schema for the fields of ${table}.`,
    );
  }
  for (const [key, value] of entries) entry(s, key, value);
  finishParties(s);
  if (ctx.mode === 'create') checkRequired(s);
  if (s.problems.length) return { list: s.problems };
  return {
    payload: { body: s.body, fields: [...s.setBy.keys()], ...(s.localTimes.length ? { localTimes: s.localTimes } : {}) },
    list: [],
  };
}

function entry(s: PayloadState, key: string, value: unknown): void {
  if (isPartiesKey(s, key)) {
    writeParties(s, key, value);
    return;
  }
  if (key.endsWith(BIND_SUFFIX)) {
    writeRawBind(s, key, value, (f) => writable(s, f));
    return;
  }
  if (key.includes('@')) {
    s.problem(`"${truncate(key, 60)}" is not a field: only "<navigation>@odata.bind" annotations can be written.`);
    return;
  }
  const lower = key.toLowerCase();
  const lookupValue = /^_(.+)_value$/.exec(lower);
  const field = s.byName.get(key) ?? s.byName.get(lower) ?? (lookupValue ? s.byName.get(lookupValue[1]) : undefined);
  if (!field || (lookupValue && !field.to && !s.byName.has(lower))) {
    unknown(s, key);
    return;
  }
  if (!writable(s, field)) return;
  if (field.to) {
    writeLookup(s, field, key, value);
    return;
  }
  if (field.type === 'partylist') {
    writePartyList(s, field, key, value);
    return;
  }
  if (!s.claim(field.name, key)) return;
  const converted = convertValue(s, field, value);
  if (converted !== INVALID) s.body[field.name] = converted;
}

/** Create/update validity; false (and a problem) when the field cannot be written in this mode. */
function writable(s: PayloadState, field: SchemaField): boolean {
  const mode = s.ctx.mode;
  if (field.readOnly) {
    s.problem(`${field.name} is read-only (maintained by Dataverse); leave it out.`);
    return false;
  }
  if (mode === 'create' && field.updateOnly) {
    const state = field.type === 'state' || field.type === 'status';
    s.problem(
      `${field.name} cannot be set when creating a record, only changed by update_record afterwards${state ? ' (new records start in their default status)' : ''}.`,
    );
    return false;
  }
  if (mode === 'update' && field.createOnly) {
    s.problem(`${field.name} can only be set when the record is created, not changed by update_record.`);
    return false;
  }
  return true;
}

function unknown(s: PayloadState, key: string): void {
  if (navigationWithoutBind(s, key)) return;
  const suggestions = suggestFieldNames(key, s.schema.fields);
  const dym = suggestions.length ? ` Did you mean ${suggestions.map((x) => `"${x}"`).join(', ')}?` : '';
  s.problem(`Field "${truncate(key, 60)}" does not exist on ${s.schema.logicalName}.${dym}`);
}

function checkRequired(s: PayloadState): void {
  const missing = s.schema.fields.filter(
    (f) => f.required === 'yes' && !f.readOnly && !f.updateOnly && f.name !== s.schema.primaryIdAttribute && !s.setBy.has(f.name),
  );
  if (missing.length) {
    s.problem(
      `${s.schema.logicalName} needs ${missing.map((f) => `${f.name} (${f.type}${f.label ? `, "${f.label}"` : ''})`).join(', ')} when a record is created; ask the user for ${missing.length === 1 ? 'it' : 'them'} if unknown.`,
    );
  }
}
