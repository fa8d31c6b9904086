import { truncate } from '../../client/odata';
import type { SchemaField, TableSchema } from '../../metadata/schema-format';
import { hiddenNavigation, hiddenTarget, outsideScopeMessage } from '../../scope/table-scope';
import { BIND_PATH, BIND_SUFFIX, GUID, idByName, listOr, PayloadState } from './state';

/**
 * Attendees and recipients of activities: `"parties": [{role, table, id}]`, the raw `<table>_activity_parties`
 * array, and the party-list attributes (`to`, `requiredattendees`, ...) of a schema.
 */

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

/** True when `key` names the party collection ("parties" or `<table>_activity_parties`). */
export function isPartiesKey(s: PayloadState, key: string): boolean {
  const lower = key.toLowerCase();
  return lower === 'parties' || lower === partiesProperty(s.schema.logicalName).toLowerCase();
}

export function writeParties(s: PayloadState, key: string, value: unknown): void {
  const table = s.schema.logicalName;
  if (!s.schema.isActivity) {
    s.problem(`"${key}": ${table} is not an activity table, so it has no attendees or recipients (activity parties).`);
    return;
  }
  s.partiesGiven = true;
  if (!s.claim(partiesProperty(table), key)) return;
  if (!Array.isArray(value)) {
    s.problem(
      `"${key}" must be an array, e.g. [{"role": "required", "table": "contact", "id": "<guid>"}, {"role": "organizer", "table": "systemuser", "id": "<your userId>"}].`,
    );
    return;
  }
  value.forEach((item, i) => party(s, `${key}[${i}]`, item));
}

export function writePartyList(s: PayloadState, field: SchemaField, key: string, value: unknown): void {
  const role = PARTY_LIST_ROLES[field.name];
  if (role === undefined) {
    s.problem(`${field.name} is a party list: write it as "parties": [{"role": ..., "table": ..., "id": ...}].`);
    return;
  }
  s.partiesGiven = true;
  if (!s.claim(field.name, key)) return;
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) party(s, `${key}[${i}]`, { role, ...(item as Record<string, unknown>) });
    else s.problem(`${key}[${i}] must be {"table": "contact", "id": "<guid>"}.`);
  });
}

/** Puts the collected parties into the body (when any party form was given). */
export function finishParties(s: PayloadState): void {
  if (s.partiesGiven) s.body[partiesProperty(s.schema.logicalName)] = s.parties;
}

function partyTargets(s: PayloadState): Record<string, string> {
  const field = s.ctx.partySchema?.fields.find((f) => f.name === 'partyid');
  const to = field?.to;
  // Emptied by the table scope: no party table is left.
  if (to && (Object.keys(to).length || field?.outsideScope)) return to;
  return Object.fromEntries(['account', 'contact', 'lead', 'systemuser'].map((t) => [t, `partyid_${t}`]));
}

/** One party, friendly (`{role, table, id}`) or raw (`{"partyid_<table>@odata.bind": ..., "participationtypemask": N}`). */
function party(s: PayloadState, where: string, item: unknown): void {
  const example = '{"role": "required", "table": "contact", "id": "<guid>"}';
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    s.problem(`${where} must be an object like ${example}.`);
    return;
  }
  const to = partyTargets(s);
  const targets = Object.keys(to);
  const out: Record<string, unknown> = {};
  let mask: number | undefined;
  let bound = false;
  for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
    const lk = k.toLowerCase();
    if (lk === 'role' || lk === 'participationtypemask') {
      mask = partyRole(s, where, v);
      if (mask === undefined) return;
    } else if (lk === 'table' || lk === 'id' || lk === 'name') {
      // friendly form, handled below
    } else if (lk.endsWith(BIND_SUFFIX.toLowerCase())) {
      const nav = k.slice(0, -BIND_SUFFIX.length).toLowerCase();
      const table = targets.find((t) => to[t].toLowerCase() === nav);
      const bind = typeof v === 'string' ? BIND_PATH.exec(v.trim()) : null;
      const hidden = table ? undefined : hiddenNavigation(s.ctx.partySchema, nav);
      if (hidden) {
        s.problem(`${where}: ${outsideScopeMessage(hidden)}`);
        return;
      }
      if (!table) {
        s.problem(`${where}: "${truncate(k, 60)}" is not a party; use "partyid_<table>${BIND_SUFFIX}" with table ${listOr(targets)}.`);
        return;
      }
      const set = s.entitySetOf(table);
      if (!bind || (set !== undefined && bind[1].toLowerCase() !== set.toLowerCase())) {
        s.problem(
          `${where}: "${to[table]}${BIND_SUFFIX}" must be "/${set ?? '<entity set>'}(<guid>)", not ${truncate(JSON.stringify(v) ?? String(v), 80)}.`,
        );
        return;
      }
      out[`${to[table]}${BIND_SUFFIX}`] = `/${set ?? bind[1]}(${bind[2].toLowerCase()})`;
      bound = true;
    } else if (lk === 'addressused') {
      if (typeof v !== 'string') {
        s.problem(`${where}: addressused must be an email address string.`);
        return;
      }
      out.addressused = v;
    } else {
      s.problem(`${where}: unexpected "${truncate(k, 40)}"; a party is ${example}.`);
      return;
    }
  }
  const raw = item as Record<string, unknown>;
  if (!bound && (raw.table !== undefined || raw.id !== undefined || raw.name !== undefined)) {
    const table =
      typeof raw.table === 'string'
        ? targets.find(
            (t) =>
              t === raw.table!.toString().trim().toLowerCase() ||
              s.entitySetOf(t)?.toLowerCase() === raw.table!.toString().trim().toLowerCase(),
          )
        : undefined;
    const partyField = s.ctx.partySchema?.fields.find((f) => f.name === 'partyid');
    const hidden = !table && typeof raw.table === 'string' ? hiddenTarget(partyField, raw.table) : undefined;
    if (hidden) {
      s.problem(`${where}: ${outsideScopeMessage(hidden)}`);
      return;
    }
    if (!table) {
      s.problem(`${where}: "table" must be one of ${targets.join(', ')} (the kind of record taking part), e.g. ${example}.`);
      return;
    }
    let partyId: string | undefined;
    if (raw.id === undefined && typeof raw.name === 'string') {
      partyId = idByName(s, where, table, raw.name);
      if (partyId === undefined) return;
    } else if (typeof raw.id !== 'string' || !GUID.test(raw.id.trim())) {
      s.problem(
        `${where}: "id" must be the GUID of the ${table} (find it with list_records; for yourself use userId from get_my_identity).`,
      );
      return;
    } else partyId = raw.id.trim();
    const set = s.entitySetOf(table);
    if (!set) {
      s.problem(
        `${where}: the entity set of ${table} is unknown; use the raw form "partyid_${table}${BIND_SUFFIX}": "/<entity set>(<id>)".`,
      );
      return;
    }
    out[`${to[table]}${BIND_SUFFIX}`] = `/${set}(${GUID.exec(partyId)![1].toLowerCase()})`;
    bound = true;
  }
  if (!bound && out.addressused === undefined) {
    s.problem(`${where}: say who takes part, e.g. ${example}.`);
    return;
  }
  if (mask === undefined) {
    s.problem(`${where}: add "role" (${ROLE_NAMES}).`);
    return;
  }
  s.parties.push({ ...out, participationtypemask: mask });
}

function partyRole(s: PayloadState, where: string, v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 11) return v;
  if (typeof v === 'string') {
    const key = v.toLowerCase().replace(/[\s_-]/g, '');
    if (PARTY_ROLES[key] !== undefined) return PARTY_ROLES[key];
    if (/^\d+$/.test(key) && Number(key) >= 1 && Number(key) <= 11) return Number(key);
  }
  s.problem(`${where}: role ${truncate(JSON.stringify(v) ?? String(v), 40)} is not known; use one of ${ROLE_NAMES}.`);
  return undefined;
}
