import { ToolError } from '../common/tool-error';
import { truncate } from './odata';
import type { SchemaField, TableSchema } from './schema-format';
import { editDistance, worthSuggesting } from '../common/edit-distance';

/**
 * `data` as the model gives it to create_record / update_record → the exact Web API body, checked against the
 * cached schema before anything is sent. Every problem is collected and reported at once, with what to do next:
 * unknown fields get the nearest valid names; lookups in the friendly form (`{"table","id"}`, a GUID, `null`) or
 * the raw `<nav>@odata.bind` form become the exact (case-sensitive) navigation property and target entity set;
 * choices take the number or the label; dates must say their time zone; activity parties are accepted as
 * `"parties": [{role, table, id}]` and as the raw `<table>_activity_parties` array.
 */

export type WriteMode = 'create' | 'update';

export interface PayloadContext {
  schema: TableSchema;
  mode: WriteMode;
  /** Schema of `activityparty` (partyid navigation names and entity sets); needed only when parties are written. */
  partySchema?: TableSchema;
}

export interface BuiltPayload {
  /** The Web API body. */
  body: Record<string, unknown>;
  /** Logical names of the fields the body sets (lookups by their attribute name, parties as `<table>_activity_parties`). */
  fields: string[];
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const BIND_SUFFIX = '@odata.bind';
/** `/accounts(<guid>)`, `accounts(<guid>)` or an absolute URL ending in one. */
const BIND_PATH =
  /^(?:.*\/)?([A-Za-z][A-Za-z0-9_]{0,127})\(\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?\)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE_TIME_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMERIC_STRING = /^\s*-?\d+(\.\d+)?\s*$/;
const INT32 = { min: -2147483648, max: 2147483647 };

/** Activity party roles → `participationtypemask`. */
export const PARTY_ROLES: Record<string, number> = {
  from: 1,
  sender: 1,
  to: 2,
  torecipient: 2,
  cc: 3,
  ccrecipient: 3,
  bcc: 4,
  bccrecipient: 4,
  required: 5,
  requiredattendee: 5,
  attendee: 5,
  optional: 6,
  optionalattendee: 6,
  organizer: 7,
  organiser: 7,
  regarding: 8,
  owner: 9,
  resource: 10,
  customer: 11,
};
const ROLE_NAMES = 'organizer, required, optional, from, to, cc, bcc, owner, resource, customer';

/** Party-list attributes of activity tables (where a schema lists them) → the role their parties get. */
const PARTY_LIST_ROLES: Record<string, number> = {
  from: 1,
  to: 2,
  cc: 3,
  bcc: 4,
  requiredattendees: 5,
  optionalattendees: 6,
  organizer: 7,
  resources: 10,
  customers: 11,
  customer: 11,
};

/** Name of the activity-party collection of an activity table. */
export function partiesProperty(table: string): string {
  return `${table}_activity_parties`;
}

/** True when writing `data` needs the activityparty schema. */
export function needsPartySchema(schema: TableSchema, data: Record<string, unknown>): boolean {
  if (!schema.isActivity) return false;
  const collection = partiesProperty(schema.logicalName).toLowerCase();
  const partyLists = new Set(schema.fields.filter((f) => f.type === 'partylist').map((f) => f.name));
  return Object.keys(data).some((k) => k.toLowerCase() === 'parties' || k.toLowerCase() === collection || partyLists.has(k.toLowerCase()));
}

interface NavInfo {
  field: SchemaField;
  /** Exact navigation property name. */
  nav: string;
  /** Target tables reachable through this navigation property (owner lookups: systemuser and team). */
  targets: string[];
}

interface Option {
  value: number;
  label: string;
}

/** Builds the Web API body for `data`, or throws one ToolError listing every problem found. */
export function buildPayload(data: unknown, ctx: PayloadContext): BuiltPayload {
  return new PayloadBuilder(ctx).build(data);
}

class PayloadBuilder {
  private readonly schema: TableSchema;
  private readonly byName = new Map<string, SchemaField>();
  private readonly navs = new Map<string, NavInfo>();
  private readonly problems: string[] = [];
  private readonly body: Record<string, unknown> = {};
  /** attribute → the input key that set it (to catch the same field set twice). */
  private readonly setBy = new Map<string, string>();
  private readonly parties: Record<string, unknown>[] = [];
  private partiesGiven = false;

  constructor(private readonly ctx: PayloadContext) {
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

  build(data: unknown): BuiltPayload {
    const table = this.schema.logicalName;
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new ToolError(
        'invalid_input',
        `data must be a JSON object of field names and values, e.g. {"${this.schema.primaryNameAttribute ?? 'name'}": "..."}; call get_table_schema for the fields of ${table}.`,
      );
    }
    const entries = Object.entries(data as Record<string, unknown>);
    if (!entries.length) {
      throw new ToolError(
        'invalid_input',
        `data is empty: give at least one field to ${this.ctx.mode === 'create' ? 'set on the new record' : 'change'}; call get_table_schema for the fields of ${table}.`,
      );
    }
    for (const [key, value] of entries) this.entry(key, value);
    if (this.partiesGiven) this.body[partiesProperty(table)] = this.parties;
    if (this.ctx.mode === 'create') this.checkRequired();
    if (this.problems.length) {
      const list = this.problems.length === 1 ? this.problems[0] : this.problems.map((p) => `- ${p}`).join('\n');
      throw new ToolError(
        'invalid_input',
        `Nothing was ${this.ctx.mode === 'create' ? 'created' : 'changed'}: the data for ${table} has ${this.problems.length === 1 ? 'a problem' : `${this.problems.length} problems`}:\n${list}\n` +
          `Fix ${this.problems.length === 1 ? 'it' : 'them'} and call ${this.ctx.mode === 'create' ? 'create_record' : 'update_record'} again (get_table_schema lists the fields of ${table}).`,
        { problems: this.problems.length },
      );
    }
    return { body: this.body, fields: [...this.setBy.keys()] };
  }

  private problem(text: string): void {
    this.problems.push(text);
  }

  /** Records that `attr` is set by `key`; false (and a problem) when it already was. */
  private claim(attr: string, key: string): boolean {
    const earlier = this.setBy.get(attr);
    if (earlier !== undefined) {
      this.problem(`${attr} is set twice (by "${earlier}" and by "${key}"); give it once.`);
      return false;
    }
    this.setBy.set(attr, key);
    return true;
  }

  private entry(key: string, value: unknown): void {
    const table = this.schema.logicalName;
    const lower = key.toLowerCase();
    if (lower === 'parties' || lower === partiesProperty(table).toLowerCase()) {
      if (!this.schema.isActivity) {
        this.problem(`"${key}": ${table} is not an activity table, so it has no attendees or recipients (activity parties).`);
        return;
      }
      this.addParties(key, value);
      return;
    }
    if (key.endsWith(BIND_SUFFIX)) {
      this.rawBind(key, value);
      return;
    }
    if (key.includes('@')) {
      this.problem(`"${truncate(key, 60)}" is not a field: only "<navigation>@odata.bind" annotations can be written.`);
      return;
    }
    const lookupValue = /^_(.+)_value$/.exec(lower);
    const field = this.byName.get(key) ?? this.byName.get(lower) ?? (lookupValue ? this.byName.get(lookupValue[1]) : undefined);
    if (!field || (lookupValue && !field.to && !this.byName.has(lower))) {
      this.unknown(key);
      return;
    }
    if (!this.writable(field)) return;
    if (field.to) {
      this.lookup(field, key, value);
      return;
    }
    if (field.type === 'partylist') {
      this.partyList(field, key, value);
      return;
    }
    if (!this.claim(field.name, key)) return;
    const converted = this.convert(field, value);
    if (converted !== INVALID) this.body[field.name] = converted;
  }

  /** Create/update validity; false (and a problem) when the field cannot be written in this mode. */
  private writable(field: SchemaField): boolean {
    const mode = this.ctx.mode;
    if (field.readOnly) {
      this.problem(`${field.name} is read-only (maintained by Dataverse); leave it out.`);
      return false;
    }
    if (mode === 'create' && field.updateOnly) {
      const state = field.type === 'state' || field.type === 'status';
      this.problem(
        `${field.name} cannot be set when creating a record, only changed by update_record afterwards${state ? ' (new records start in their default status)' : ''}.`,
      );
      return false;
    }
    if (mode === 'update' && field.createOnly) {
      this.problem(`${field.name} can only be set when the record is created, not changed by update_record.`);
      return false;
    }
    return true;
  }

  private unknown(key: string): void {
    const table = this.schema.logicalName;
    const lower = key.toLowerCase();
    // A navigation property given without "@odata.bind" (e.g. "parentcustomerid_account": "<guid>").
    const nav = this.navs.get(lower);
    if (nav) {
      this.problem(
        `"${key}" is a navigation property: write the lookup as "${nav.field.name}": {"table": "${nav.targets[0]}", "id": "<guid>"} or as "${nav.nav}@odata.bind": "/${this.entitySetOf(nav.targets[0]) ?? '<entity set>'}(<guid>)".`,
      );
      return;
    }
    const suggestions = suggestFieldNames(key, this.schema.fields);
    const dym = suggestions.length ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    this.problem(`Field "${truncate(key, 60)}" does not exist on ${table}.${dym}`);
  }

  // ---------------------------------------------------------------- lookups

  private entitySetOf(table: string): string | undefined {
    return this.schema.entitySets[table] ?? this.ctx.partySchema?.entitySets[table];
  }

  /** Friendly lookup forms: `{"table","id"}`, `{"id"}` / a GUID for single-target lookups, a bind path, or null. */
  private lookup(field: SchemaField, key: string, value: unknown): void {
    const to = field.to!;
    const targets = Object.keys(to);
    if (!this.claim(field.name, key)) return;
    const example = `{"table": "${targets[0]}", "id": "<guid>"}`;
    if (value === null) {
      // Clearing: any navigation property of the lookup with null disassociates it.
      if (this.ctx.mode === 'update') this.body[`${to[targets[0]]}${BIND_SUFFIX}`] = null;
      return;
    }
    let table: string | undefined;
    let id: string | undefined;
    if (typeof value === 'string') {
      const bind = BIND_PATH.exec(value.trim());
      if (bind) {
        table = this.targetBySet(targets, bind[1]);
        if (!table) {
          this.problem(`${field.name}: "${truncate(value, 80)}" does not point to ${listOr(targets)}; give ${example}.`);
          return;
        }
        id = bind[2];
      } else if (GUID.test(value.trim())) {
        if (targets.length > 1) {
          this.problem(`${field.name} can point to ${listOr(targets)}: say which, e.g. ${example}.`);
          return;
        }
        table = targets[0];
        id = value.trim();
      } else {
        this.problem(
          `${field.name} is a lookup: give ${example}${targets.length === 1 ? ' or the record id (GUID)' : ''}, not "${truncate(value, 60)}". Find the id with list_records.`,
        );
        return;
      }
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      const rawId = v.id ?? v.Id;
      if (typeof rawId !== 'string' || !GUID.test(rawId.trim())) {
        this.problem(`${field.name}: "id" must be the GUID of the related record, e.g. ${example}. Find it with list_records.`);
        return;
      }
      id = rawId.trim();
      const rawTable = v.table ?? v.entity ?? v.logicalName;
      if (rawTable === undefined) {
        if (targets.length > 1) {
          this.problem(`${field.name} can point to ${listOr(targets)}: add "table", e.g. ${example}.`);
          return;
        }
        table = targets[0];
      } else {
        table = typeof rawTable === 'string' ? this.targetByName(targets, rawTable) : undefined;
        if (!table) {
          this.problem(`${field.name} cannot point to "${truncate(String(rawTable), 60)}"; it can point to ${listOr(targets)}.`);
          return;
        }
      }
    } else {
      this.problem(`${field.name} is a lookup: give ${example}.`);
      return;
    }
    const set = this.entitySetOf(table);
    if (!set) {
      this.problem(
        `${field.name}: the entity set of table ${table} is unknown; write "${to[table]}${BIND_SUFFIX}": "/<entity set>(<id>)" instead (list_tables shows entity sets).`,
      );
      return;
    }
    this.body[`${to[table]}${BIND_SUFFIX}`] = `/${set}(${GUID.exec(id)![1].toLowerCase()})`;
  }

  /** `"<nav>@odata.bind": "/<set>(<id>)"`: navigation name matched case-insensitively and rewritten exactly; path checked. */
  private rawBind(key: string, value: unknown): void {
    const given = key.slice(0, -BIND_SUFFIX.length);
    const info = this.navs.get(given.toLowerCase());
    if (!info) {
      const field = this.byName.get(given.toLowerCase());
      const fix = field?.to
        ? ` ${field.name} binds through ${Object.entries(field.to)
            .map(([t, n]) => `"${n}${BIND_SUFFIX}" (${t})`)
            .join(' or ')}.`
        : '';
      const navNames = [...this.navs.values()].map((n) => n.nav);
      const near = fix
        ? []
        : nearest(
            given,
            navNames.map((n) => ({ name: n, match: [n.toLowerCase()] })),
          );
      this.problem(
        `"${truncate(key, 80)}" is not a navigation property of ${this.schema.logicalName}.${fix}${near.length ? ` Did you mean ${near.map((n) => `"${n}${BIND_SUFFIX}"`).join(', ')}?` : ''}` +
          (fix || near.length ? '' : ' get_table_schema lists each lookup\'s navigation names under "to".'),
      );
      return;
    }
    const field = info.field;
    if (!this.writable(field)) return;
    if (!this.claim(field.name, key)) return;
    const exactKey = `${info.nav}${BIND_SUFFIX}`;
    if (value === null) {
      if (this.ctx.mode === 'update') this.body[exactKey] = null;
      return;
    }
    const bind = typeof value === 'string' ? BIND_PATH.exec(value.trim()) : null;
    if (!bind) {
      this.problem(
        `"${exactKey}" must be a path like "/${this.entitySetOf(info.targets[0]) ?? '<entity set>'}(<guid>)", not ${truncate(JSON.stringify(value) ?? String(value), 80)}.`,
      );
      return;
    }
    const table = this.targetBySet(info.targets, bind[1]);
    if (!table) {
      const other = Object.entries(field.to!).find(([t]) => this.matchesTable(t, bind[1]));
      this.problem(
        `"${exactKey}" points to ${listOr(info.targets)} records (/${info.targets.map((t) => this.entitySetOf(t) ?? t).join(' or /')}(...)), not "${truncate(String(value), 80)}".` +
          (other ? ` For a ${other[0]} use "${other[1]}${BIND_SUFFIX}".` : ''),
      );
      return;
    }
    const set = this.entitySetOf(table) ?? bind[1];
    this.body[exactKey] = `/${set}(${bind[2].toLowerCase()})`;
  }

  private matchesTable(table: string, name: string): boolean {
    const lower = name.toLowerCase();
    return table === lower || this.entitySetOf(table)?.toLowerCase() === lower;
  }

  /** The target whose entity set (or logical name) is `set`, case-insensitively. */
  private targetBySet(targets: string[], set: string): string | undefined {
    return targets.find((t) => this.entitySetOf(t)?.toLowerCase() === set.toLowerCase()) ?? targets.find((t) => t === set.toLowerCase());
  }

  private targetByName(targets: string[], name: string): string | undefined {
    const lower = name.trim().toLowerCase();
    return targets.find((t) => t === lower) ?? targets.find((t) => this.entitySetOf(t)?.toLowerCase() === lower);
  }

  // ---------------------------------------------------------------- activity parties

  private partyTargets(): Record<string, string> {
    const to = this.ctx.partySchema?.fields.find((f) => f.name === 'partyid')?.to;
    if (to && Object.keys(to).length) return to;
    return Object.fromEntries(['account', 'contact', 'lead', 'systemuser'].map((t) => [t, `partyid_${t}`]));
  }

  private addParties(key: string, value: unknown): void {
    this.partiesGiven = true;
    if (!this.claim(partiesProperty(this.schema.logicalName), key)) return;
    if (!Array.isArray(value)) {
      this.problem(
        `"${key}" must be an array, e.g. [{"role": "required", "table": "contact", "id": "<guid>"}, {"role": "organizer", "table": "systemuser", "id": "<your userId>"}].`,
      );
      return;
    }
    value.forEach((item, i) => this.party(`${key}[${i}]`, item));
  }

  private partyList(field: SchemaField, key: string, value: unknown): void {
    const role = PARTY_LIST_ROLES[field.name];
    if (role === undefined) {
      this.problem(`${field.name} is a party list: write it as "parties": [{"role": ..., "table": ..., "id": ...}].`);
      return;
    }
    this.partiesGiven = true;
    if (!this.claim(field.name, key)) return;
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      if (item && typeof item === 'object' && !Array.isArray(item))
        this.party(`${key}[${i}]`, { role, ...(item as Record<string, unknown>) });
      else this.problem(`${key}[${i}] must be {"table": "contact", "id": "<guid>"}.`);
    });
  }

  /** One party, friendly (`{role, table, id}`) or raw (`{"partyid_<table>@odata.bind": ..., "participationtypemask": N}`). */
  private party(where: string, item: unknown): void {
    const example = '{"role": "required", "table": "contact", "id": "<guid>"}';
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      this.problem(`${where} must be an object like ${example}.`);
      return;
    }
    const to = this.partyTargets();
    const targets = Object.keys(to);
    const out: Record<string, unknown> = {};
    let mask: number | undefined;
    let bound = false;
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      const lk = k.toLowerCase();
      if (lk === 'role' || lk === 'participationtypemask') {
        mask = this.partyRole(where, v);
        if (mask === undefined) return;
      } else if (lk === 'table' || lk === 'id' || lk === 'name') {
        // friendly form, handled below
      } else if (lk.endsWith(BIND_SUFFIX.toLowerCase())) {
        const nav = k.slice(0, -BIND_SUFFIX.length).toLowerCase();
        const table = targets.find((t) => to[t].toLowerCase() === nav);
        const bind = typeof v === 'string' ? BIND_PATH.exec(v.trim()) : null;
        if (!table) {
          this.problem(`${where}: "${truncate(k, 60)}" is not a party; use "partyid_<table>${BIND_SUFFIX}" with table ${listOr(targets)}.`);
          return;
        }
        const set = this.entitySetOf(table);
        if (!bind || (set !== undefined && bind[1].toLowerCase() !== set.toLowerCase())) {
          this.problem(
            `${where}: "${to[table]}${BIND_SUFFIX}" must be "/${set ?? '<entity set>'}(<guid>)", not ${truncate(JSON.stringify(v) ?? String(v), 80)}.`,
          );
          return;
        }
        out[`${to[table]}${BIND_SUFFIX}`] = `/${set ?? bind[1]}(${bind[2].toLowerCase()})`;
        bound = true;
      } else if (lk === 'addressused') {
        if (typeof v !== 'string') {
          this.problem(`${where}: addressused must be an email address string.`);
          return;
        }
        out.addressused = v;
      } else {
        this.problem(`${where}: unexpected "${truncate(k, 40)}"; a party is ${example}.`);
        return;
      }
    }
    const raw = item as Record<string, unknown>;
    if (!bound && (raw.table !== undefined || raw.id !== undefined)) {
      const table =
        typeof raw.table === 'string'
          ? targets.find(
              (t) =>
                t === raw.table!.toString().trim().toLowerCase() ||
                this.entitySetOf(t)?.toLowerCase() === raw.table!.toString().trim().toLowerCase(),
            )
          : undefined;
      if (!table) {
        this.problem(`${where}: "table" must be one of ${targets.join(', ')} (the kind of record taking part), e.g. ${example}.`);
        return;
      }
      if (typeof raw.id !== 'string' || !GUID.test(raw.id.trim())) {
        this.problem(
          `${where}: "id" must be the GUID of the ${table} (find it with list_records; for yourself use userId from get_my_identity).`,
        );
        return;
      }
      const set = this.entitySetOf(table);
      if (!set) {
        this.problem(
          `${where}: the entity set of ${table} is unknown; use the raw form "partyid_${table}${BIND_SUFFIX}": "/<entity set>(<id>)".`,
        );
        return;
      }
      out[`${to[table]}${BIND_SUFFIX}`] = `/${set}(${GUID.exec(raw.id.trim())![1].toLowerCase()})`;
      bound = true;
    }
    if (!bound && out.addressused === undefined) {
      this.problem(`${where}: say who takes part, e.g. ${example}.`);
      return;
    }
    if (mask === undefined) {
      this.problem(`${where}: add "role" (${ROLE_NAMES}).`);
      return;
    }
    this.parties.push({ ...out, participationtypemask: mask });
  }

  private partyRole(where: string, v: unknown): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 11) return v;
    if (typeof v === 'string') {
      const key = v.toLowerCase().replace(/[\s_-]/g, '');
      if (PARTY_ROLES[key] !== undefined) return PARTY_ROLES[key];
      if (/^\d+$/.test(key) && Number(key) >= 1 && Number(key) <= 11) return Number(key);
    }
    this.problem(`${where}: role ${truncate(JSON.stringify(v) ?? String(v), 40)} is not known; use one of ${ROLE_NAMES}.`);
    return undefined;
  }

  // ---------------------------------------------------------------- values

  private convert(field: SchemaField, value: unknown): unknown {
    if (value === null) return null;
    const name = field.name;
    const type = field.type;
    const text = /^(string|memo)(?:\((\d+)\))?$/.exec(type);
    if (text) {
      if (typeof value !== 'string') return this.invalid(`${name} is text: give a string (in quotes), not ${describe(value)}.`);
      const max = text[2] ? Number(text[2]) : undefined;
      if (max !== undefined && value.length > max) {
        return this.invalid(`${name} takes at most ${max} characters; the value has ${value.length}. Shorten it (ask the user how).`);
      }
      return value;
    }
    switch (type) {
      case 'int':
      case 'bigint': {
        const n = this.number(name, value);
        if (n === INVALID) return INVALID;
        if (!Number.isInteger(n)) return this.invalid(`${name} is a whole number; ${n} has a fraction.`);
        if (type === 'int' && (n < INT32.min || n > INT32.max))
          return this.invalid(`${name} must be between ${INT32.min} and ${INT32.max}.`);
        if (!Number.isSafeInteger(n)) return this.invalid(`${name} is too large.`);
        return n;
      }
      case 'decimal':
      case 'float':
      case 'money':
        return this.number(name, value);
      case 'bool':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') return value === 'true';
        return this.invalid(`${name} is yes/no: give true or false, not ${describe(value)}.`);
      case 'datetime':
        return this.dateTime(name, value);
      case 'date':
        return this.dateOnly(name, value);
      case 'choice':
      case 'state':
      case 'status':
        return this.choice(field, value);
      case 'choices':
        return this.choices(field, value);
      case 'guid':
        if (typeof value === 'string' && GUID.test(value.trim())) return GUID.exec(value.trim())![1].toLowerCase();
        return this.invalid(`${name} must be a GUID like 00000000-0000-0000-0000-000000000000.`);
      case 'image':
      case 'file':
        return this.invalid(`${name} holds a ${type}; this tool cannot upload ${type}s.`);
      default:
        return value;
    }
  }

  private invalid(text: string): typeof INVALID {
    this.problem(text);
    return INVALID;
  }

  private number(name: string, value: unknown): number | typeof INVALID {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && NUMERIC_STRING.test(value)) return Number(value);
    return this.invalid(
      `${name} is a number: give digits without currency symbols or thousands separators (e.g. 25000.5), not ${describe(value)}.`,
    );
  }

  private dateTime(name: string, value: unknown): string | typeof INVALID {
    const hint =
      "convert the user's local time to UTC with the utcOffset from get_my_identity and write it as ISO 8601 with Z, e.g. 2025-06-03T12:00:00Z";
    if (typeof value !== 'string') return this.invalid(`${name} is a date and time: ${hint}.`);
    const v = value.trim();
    if (DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))) {
      return new Date(Date.parse(v)).toISOString().replace('.000Z', 'Z');
    }
    if (DATE_TIME_NO_ZONE.test(v)) return this.invalid(`${name}: "${v}" has no time zone; ${hint}.`);
    if (DATE_ONLY.test(v)) return this.invalid(`${name} is a date and time, and "${v}" has no time; ${hint}.`);
    return this.invalid(`${name}: "${truncate(v, 40)}" is not a date and time; ${hint}.`);
  }

  private dateOnly(name: string, value: unknown): string | typeof INVALID {
    const v = typeof value === 'string' ? value.trim() : '';
    const m = DATE_ONLY.exec(v);
    if (m) {
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])) return v;
      return this.invalid(`${name}: ${v} is not a calendar date.`);
    }
    return this.invalid(`${name} is a date only (no time): give YYYY-MM-DD, e.g. 2025-06-03, not ${describe(value)}.`);
  }

  private choice(field: SchemaField, value: unknown): number | typeof INVALID {
    const options = parseOptions(field.options);
    const valid = () => options.map((o) => `${o.value}=${o.label}`).join(', ');
    if (!options.length) {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      return this.invalid(`${field.name} takes a choice number; its options are not known, call get_table_schema.`);
    }
    const hit = this.option(field, options, value);
    if (hit === undefined) return INVALID;
    if (hit === null) return this.invalid(`${field.name}: ${describe(value)} is not one of its values. Valid values: ${valid()}.`);
    return hit;
  }

  /** Number or label (case-insensitive) → value; null when it matches nothing, undefined after an ambiguity problem. */
  private option(field: SchemaField, options: Option[], value: unknown): number | null | undefined {
    if (typeof value === 'number') return options.some((o) => o.value === value) ? value : null;
    if (typeof value !== 'string') return null;
    const v = value.trim();
    if (/^-?\d+$/.test(v)) return options.some((o) => o.value === Number(v)) ? Number(v) : null;
    const hits = options.filter((o) => o.label.toLowerCase() === v.toLowerCase());
    if (hits.length > 1) {
      this.problem(`${field.name}: the label "${v}" is used by ${hits.map((h) => h.value).join(' and ')}; give the number.`);
      return undefined;
    }
    return hits.length ? hits[0].value : null;
  }

  private choices(field: SchemaField, value: unknown): string | typeof INVALID {
    const options = parseOptions(field.options);
    const items = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value.split(',')
        : typeof value === 'number'
          ? [value]
          : undefined;
    if (!items) return this.invalid(`${field.name} takes several choices: give an array of numbers or labels, e.g. [1, "Other label"].`);
    const values: number[] = [];
    for (const item of items) {
      const hit = options.length ? this.option(field, options, item) : typeof item === 'number' ? item : null;
      if (hit === undefined) return INVALID;
      if (hit === null) {
        return this.invalid(
          `${field.name}: ${describe(item)} is not one of its values. Valid values: ${options.map((o) => `${o.value}=${o.label}`).join(', ')}.`,
        );
      }
      if (!values.includes(hit)) values.push(hit);
    }
    return values.join(',');
  }

  private checkRequired(): void {
    const missing = this.schema.fields.filter(
      (f) => f.required === 'yes' && !f.readOnly && !f.updateOnly && f.name !== this.schema.primaryIdAttribute && !this.setBy.has(f.name),
    );
    if (missing.length) {
      this.problem(
        `${this.schema.logicalName} needs ${missing.map((f) => `${f.name} (${f.type}${f.label ? `, "${f.label}"` : ''})`).join(', ')} when a record is created; ask the user for ${missing.length === 1 ? 'it' : 'them'} if unknown.`,
      );
    }
  }
}

const INVALID = Symbol('invalid');

/** `"1=Preferred Customer|2=Inactive (state 1)"` → options. */
export function parseOptions(spec: string | undefined): Option[] {
  if (!spec) return [];
  return spec
    .split('|')
    .map((part) => /^(-?\d+)=(.*?)(?: \(state -?\d+\))?$/.exec(part))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ value: Number(m[1]), label: m[2] }));
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${truncate(value, 40)}"`;
  return truncate(JSON.stringify(value) ?? String(value), 60);
}

function listOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Nearest field names: edit distance, substring either way, and display labels. */
export function suggestFieldNames(input: string, fields: SchemaField[], max = 3): string[] {
  if (!worthSuggesting(input)) return [];
  return nearest(
    input,
    fields.filter((f) => !f.readOnly).map((f) => ({ name: f.name, match: [f.name, ...(f.label ? [f.label.toLowerCase()] : [])] })),
    max,
  );
}

function nearest(input: string, candidates: Array<{ name: string; match: string[] }>, max = 3): string[] {
  const q = input.toLowerCase().replace(/@odata\.bind$/, '');
  const compact = q.replace(/[^a-z0-9_]/g, '');
  const limit = Math.max(2, Math.floor(q.length / 3));
  const scored = candidates.map((c) => {
    let score = Math.min(...c.match.map((m) => Math.min(editDistance(q, m), editDistance(compact, m.replace(/[^a-z0-9_]/g, '')))));
    if (
      compact.length >= 3 &&
      c.match.some((m) => m.includes(compact) || (m.length >= 4 && compact.includes(m.replace(/[^a-z0-9_]/g, ''))))
    ) {
      score = Math.min(score, 1.5);
    }
    return { name: c.name, score };
  });
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}
