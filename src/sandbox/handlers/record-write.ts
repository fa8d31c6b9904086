import { randomUUID } from 'node:crypto';
import { ApiError, Errors } from '../errors';
import { AttrDef, LookupTarget } from '../metadata/model';
import { EntityModel, isLookup } from '../metadata/registry';
import { etag, shapeRecord } from '../odata/format';
import { QueryOptions } from '../odata/query';
import { LOOKUP_TYPE, Rec, lookupOf, setLookup } from '../store';
import { iso } from '../data/iso-time';
import { ApiContext, ApiResult } from './context';
import { compileExpands, contextSuffix, validateSelect } from './record-query';
import { appliedPreferences, shapeContext } from './record-read';

/** POST / PATCH (update and upsert) / DELETE with cascades. */

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

interface Pending {
  em: EntityModel;
  changes: Rec;
  links: { attr: string; entity: string | null; id: string | null }[];
  children: ChildSet[];
}
interface ChildSet {
  nav: string;
  child: EntityModel;
  attr: AttrDef;
  items: Pending[];
}

function payloadError(em: EntityModel, inner: string): ApiError {
  return new ApiError(
    400,
    '0x80048d19',
    `Error identified in Payload provided by the user for Entity :'${em.def.entitySetName}', For more information on this error please follow this help link ` +
      `https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : Microsoft.OData.ODataException: ${inner}`,
  );
}

const literal = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Validates and normalises one attribute value. Codes: 0x80044331 string length, 0x8004431a choice out of range, 0x80044330 number out of range. */
function coerce(em: EntityModel, a: AttrDef, v: unknown): unknown {
  if (v === null) return null;
  const conv = (edm: string) => payloadError(em, `Cannot convert the literal '${literal(v)}' to the expected type '${edm}'.`);
  const ent = em.def.logicalName;
  switch (a.type) {
    case 'String':
    case 'Memo':
    case 'EntityName':
      if (typeof v !== 'string')
        throw payloadError(
          em,
          `Cannot convert a primitive value to the expected type 'Edm.String'. See the inner exception for more details.`,
        );
      if (a.maxLength && v.length > a.maxLength) {
        throw new ApiError(
          400,
          '0x80044331',
          `A validation error occurred. The length of the '${a.logicalName}' attribute of the '${ent}' entity exceeded the maximum allowed length of '${a.maxLength}'.`,
        );
      }
      return v;
    case 'Integer':
    case 'BigInt':
    case 'Decimal':
    case 'Double':
    case 'Money': {
      const edm = { Integer: 'Edm.Int32', BigInt: 'Edm.Int64', Decimal: 'Edm.Decimal', Double: 'Edm.Double', Money: 'Edm.Decimal' }[a.type];
      if (typeof v !== 'number' || !Number.isFinite(v) || ((a.type === 'Integer' || a.type === 'BigInt') && !Number.isInteger(v)))
        throw conv(edm);
      if ((a.minValue !== undefined && v < a.minValue) || (a.maxValue !== undefined && v > a.maxValue)) {
        throw new ApiError(
          400,
          '0x80044330',
          `A validation error occurred. The value ${v} of '${a.logicalName}' on record of type '${ent}' is outside the valid range. Accepted range: ${a.minValue} to ${a.maxValue}`,
        );
      }
      return v;
    }
    case 'Boolean':
      if (typeof v !== 'boolean') throw conv('Edm.Boolean');
      return v;
    case 'DateTime': {
      if (typeof v !== 'string' || !DT.test(v) || Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)))
        throw conv(a.dateOnly ? 'Edm.Date' : 'Edm.DateTimeOffset');
      if (a.dateOnly) return v.slice(0, 10);
      return iso(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : /[Z+-]\d{0,2}:?\d{0,2}$/.test(v.slice(10)) ? v : `${v}Z`));
    }
    case 'Picklist':
    case 'State':
    case 'Status':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw conv('Edm.Int32');
      if (!a.options?.some((o) => o.value === v)) {
        throw new ApiError(
          400,
          '0x8004431a',
          `A validation error occurred. The value ${v} of '${a.logicalName}' on record of type '${ent}' is outside the valid range. Accepted Values: ${a.options?.map((o) => o.value).join(',')}`,
        );
      }
      return v;
    case 'Uniqueidentifier':
      if (typeof v !== 'string' || !GUID.test(v)) throw conv('Edm.Guid');
      return v.toLowerCase();
    default:
      return v;
  }
}

/** Parses "/accounts(guid)", "accounts(guid)" or an absolute URL to a set and id. */
function parseBind(ctx: ApiContext, em: EntityModel, key: string, v: unknown): { set: string; id: string } {
  const m = typeof v === 'string' ? /(?:^|\/)([A-Za-z0-9_]+)\(\{?([0-9a-fA-F-]{36})\}?\)$/.exec(v) : null;
  if (!m || !GUID.test(m[2]))
    throw payloadError(em, `The value '${literal(v)}' of the annotation '${key}' is not a valid entity reference URL.`);
  return { set: m[1], id: m[2].toLowerCase() };
}

function resolveTarget(
  ctx: ApiContext,
  em: EntityModel,
  nav: string,
  key: string,
  v: unknown,
): { attr: AttrDef; target: LookupTarget; id: string } {
  const { set, id } = parseBind(ctx, em, key, v);
  const tem = ctx.model.bySet.get(set);
  if (!tem) throw Errors.segmentNotFound(set);
  const candidates = em.lookups.flatMap((a) => (a.targets ?? []).filter((t) => t.nav === nav).map((t) => ({ attr: a, target: t })));
  const hit = candidates.find((c) => c.target.entity === tem.def.logicalName);
  if (!hit) {
    throw payloadError(
      em,
      `A resource of type 'Microsoft.Dynamics.CRM.${tem.def.logicalName}' was found in the payload for the navigation property '${nav}', which expects 'Microsoft.Dynamics.CRM.${candidates[0].target.entity}'.`,
    );
  }
  if (!ctx.store.get(tem.def.logicalName, id)) throw Errors.notFound(tem.def.logicalName, id);
  return { ...hit, id };
}

function parseBody(ctx: ApiContext, em: EntityModel, body: unknown, mode: 'create' | 'update'): Pending {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw payloadError(em, 'The request body must be a JSON object.');
  const p: Pending = { em, changes: {}, links: [], children: [] };
  for (const [key, v] of Object.entries(body as Rec)) {
    if (key.endsWith('@odata.bind')) {
      const nav = key.slice(0, -'@odata.bind'.length);
      if (em.singleNavs.has(nav)) {
        if (v === null) {
          const sn = em.singleNavs.get(nav)!;
          p.links.push({ attr: sn.attr.logicalName, entity: null, id: null });
          continue;
        }
        const { attr, target, id } = resolveTarget(ctx, em, nav, key, v);
        if (!(mode === 'create' ? attr.validForCreate : attr.validForUpdate)) continue;
        p.links.push({ attr: attr.logicalName, entity: target.entity, id });
        continue;
      }
      throw Errors.undeclaredBind(em.def.entitySetName, nav);
    }
    if (key.includes('@')) continue; // instance annotations such as "name@odata.type"
    const a = em.props.get(key);
    if (a) {
      if (isLookup(a))
        throw new ApiError(
          400,
          '0x80060888',
          'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
        );
      if (a.isPrimaryId) {
        const id = coerce(em, a, v);
        if (mode === 'create') p.changes[key] = id;
        continue;
      }
      const val = coerce(em, a, v);
      if (mode === 'create' ? a.validForCreate : a.validForUpdate) p.changes[key] = val;
      continue;
    }
    const coll = em.collectionNavs.get(key);
    if (coll && Array.isArray(v)) {
      const child = ctx.model.entities.get(coll.child)!;
      p.children.push({ nav: key, child, attr: coll.attr, items: v.map((item) => parseBody(ctx, child, item, 'create')) });
      continue;
    }
    const single = em.singleNavs.get(key);
    if (single && v && typeof v === 'object' && !Array.isArray(v)) {
      // deep insert of a single-valued navigation property: create the target, then link it
      const tem = ctx.model.entities.get(single.target.entity)!;
      const inner = parseBody(ctx, tem, v, 'create');
      const id = String(inner.changes[tem.def.primaryIdAttribute] ?? randomUUID());
      inner.changes[tem.def.primaryIdAttribute] = id;
      p.children.push({ nav: key, child: tem, attr: single.attr, items: [inner] });
      p.links.push({ attr: single.attr.logicalName, entity: tem.def.logicalName, id });
      continue;
    }
    throw Errors.invalidProperty(key, em.def.logicalName);
  }
  return p;
}

function stampName(em: EntityModel, rec: Rec): void {
  if (em.attrs.has('fullname') && em.attrs.has('lastname')) {
    rec.fullname = [rec.firstname, rec.lastname].filter((x) => typeof x === 'string' && x).join(' ') || null;
  }
  if (
    em.def.isActivity &&
    typeof rec.scheduledstart === 'string' &&
    typeof rec.scheduledend === 'string' &&
    em.attrs.has('scheduleddurationminutes')
  ) {
    rec.scheduleddurationminutes = Math.round((Date.parse(rec.scheduledend) - Date.parse(rec.scheduledstart)) / 60000);
  }
}

function applyState(em: EntityModel, rec: Rec, changes: Rec): void {
  const state = em.attrs.get('statecode');
  const status = em.attrs.get('statuscode');
  if (!state || !status) return;
  if ('statuscode' in changes && changes.statuscode !== null) {
    const opt = status.options!.find((o) => o.value === changes.statuscode)!;
    if ('statecode' in changes && changes.statecode !== opt.state) {
      throw new ApiError(
        400,
        '0x8004431a',
        `${changes.statuscode} is not a valid status code for state code ${em.def.schemaName}State.${state.options!.find((o) => o.value === changes.statecode)?.invariantName} on ${em.def.logicalName} with Id ${rec[em.def.primaryIdAttribute]}.`,
      );
    }
    rec.statecode = opt.state;
  } else if ('statecode' in changes) {
    rec.statuscode = state.options!.find((o) => o.value === changes.statecode)?.defaultStatus ?? null;
  }
  if (rec.statecode === undefined || rec.statecode === null) rec.statecode = state.options![0].value;
  if (rec.statuscode === undefined || rec.statuscode === null)
    rec.statuscode = state.options!.find((o) => o.value === rec.statecode)?.defaultStatus ?? null;
}

function defaultsForCreate(ctx: ApiContext, em: EntityModel, rec: Rec): void {
  const now = iso(Date.now());
  const has = (n: string) => em.attrs.has(n);
  if (has('createdon')) rec.createdon = now;
  if (has('modifiedon')) rec.modifiedon = now;
  for (const n of ['createdby', 'modifiedby']) if (has(n)) setLookup(rec, n, 'systemuser', ctx.userId);
  if (has('ownerid') && !rec._ownerid_value) setLookup(rec, 'ownerid', 'systemuser', ctx.userId);
  if (has('owningbusinessunit')) setLookup(rec, 'owningbusinessunit', 'businessunit', ctx.businessUnitId);
  if (has('owninguser')) {
    const o = lookupOf(rec, 'ownerid');
    setLookup(rec, 'owninguser', o?.entity === 'systemuser' ? 'systemuser' : null, o?.entity === 'systemuser' ? o.id : null);
    setLookup(rec, 'owningteam', o?.entity === 'team' ? 'team' : null, o?.entity === 'team' ? o.id : null);
  }
  if (has('transactioncurrencyid') && !rec._transactioncurrencyid_value) {
    const usd = ctx.store.table('transactioncurrency').values().next().value;
    if (usd) setLookup(rec, 'transactioncurrencyid', 'transactioncurrency', usd.transactioncurrencyid as string);
    rec.exchangerate = 1;
  }
  if (has('activitytypecode')) rec.activitytypecode = em.def.logicalName;
  if (em.def.logicalName === 'activityparty') rec.ispartydeleted = false;
}

function syncBase(em: EntityModel, rec: Rec): void {
  for (const a of em.def.attributes)
    if (a.type === 'Money' && em.attrs.has(`${a.logicalName}_base`)) rec[`${a.logicalName}_base`] = rec[a.logicalName] ?? null;
}

/** Applies a validated change set; returns the stored record. */
function commit(ctx: ApiContext, p: Pending, existing: Rec | undefined, parentLink?: { attr: string; entity: string; id: string }): Rec {
  const em = p.em;
  const pk = em.def.primaryIdAttribute;
  const rec: Rec = existing ?? { [pk]: String(p.changes[pk] ?? randomUUID()).toLowerCase() };
  for (const [k, v] of Object.entries(p.changes)) if (k !== pk) rec[k] = v;
  for (const l of p.links) setLookup(rec, l.attr, l.entity, l.id);
  if (parentLink) setLookup(rec, parentLink.attr, parentLink.entity, parentLink.id);
  if (!existing) defaultsForCreate(ctx, em, rec);
  else {
    if (em.attrs.has('modifiedon')) rec.modifiedon = iso(Date.now());
    if (em.attrs.has('modifiedby')) setLookup(rec, 'modifiedby', 'systemuser', ctx.userId);
    if ('ownerid' in p.changes || p.links.some((l) => l.attr === 'ownerid')) {
      const o = lookupOf(rec, 'ownerid');
      setLookup(rec, 'owninguser', o?.entity === 'systemuser' ? 'systemuser' : null, o?.entity === 'systemuser' ? o.id : null);
      setLookup(rec, 'owningteam', o?.entity === 'team' ? 'team' : null, o?.entity === 'team' ? o.id : null);
    }
  }
  applyState(em, rec, p.changes);
  stampName(em, rec);
  syncBase(em, rec);
  if (em.def.logicalName === 'activityparty' && !rec.addressused) {
    const party = lookupOf(rec, 'partyid');
    const pr = party ? ctx.store.get(party.entity, party.id) : undefined;
    rec.addressused = (pr?.emailaddress1 ?? pr?.internalemailaddress ?? null) as string | null;
  }
  ctx.store.put(em.def.logicalName, rec);
  const id = rec[pk] as string;
  for (const set of p.children) {
    const isCollection = em.collectionNavs.has(set.nav);
    if (isCollection && existing) {
      // an activity party list sent on update replaces the current list
      const key = `_${set.attr.logicalName}_value`;
      for (const [cid, c] of ctx.store.table(set.child.def.logicalName))
        if (c[key] === id) ctx.store.remove(set.child.def.logicalName, cid);
    }
    for (const item of set.items) {
      if (isCollection) commit(ctx, item, undefined, { attr: set.attr.logicalName, entity: em.def.logicalName, id });
      else commit(ctx, item, undefined);
    }
  }
  return rec;
}

function validateChildren(ctx: ApiContext, p: Pending): void {
  for (const set of p.children)
    for (const item of set.items) {
      const pk = item.em.def.primaryIdAttribute;
      const cid = item.changes[pk];
      if (typeof cid === 'string' && ctx.store.get(item.em.def.logicalName, cid)) throw duplicate();
      validateChildren(ctx, item);
    }
}

const duplicate = () => new ApiError(412, '0x80040237', 'A record with matching key values already exists.');

function entityIdHeader(ctx: ApiContext, em: EntityModel, id: string): Record<string, string> {
  return { 'OData-EntityId': `${ctx.apiUrl}${em.def.entitySetName}(${id})` };
}

function representation(ctx: ApiContext, em: EntityModel, rec: Rec, q: QueryOptions, status: number): ApiResult {
  const select = validateSelect(em, q.select);
  const expands = compileExpands(ctx, em, q.expand);
  const body = {
    '@odata.context': `${ctx.apiUrl}$metadata#${em.def.entitySetName}${contextSuffix(select, q.expand)}/$entity`,
    ...shapeRecord(em, rec, select, shapeContext(ctx), expands),
  };
  return {
    status,
    body,
    headers: {
      ...entityIdHeader(ctx, em, rec[em.def.primaryIdAttribute] as string),
      ETag: etag(rec),
      ...appliedPreferences(ctx, ['return=representation']),
    },
  };
}

export function createRecord(ctx: ApiContext, em: EntityModel, body: unknown, q: QueryOptions, forcedId?: string): ApiResult {
  const p = parseBody(ctx, em, body, 'create');
  const pk = em.def.primaryIdAttribute;
  if (forcedId) p.changes[pk] = forcedId;
  if (typeof p.changes[pk] === 'string' && ctx.store.get(em.def.logicalName, p.changes[pk] as string)) throw duplicate();
  validateChildren(ctx, p);
  if (ctx.prefer.returnRepresentation) validateSelect(em, q.select);
  const rec = commit(ctx, p, undefined);
  ctx.store.changed();
  if (ctx.prefer.returnRepresentation) return representation(ctx, em, rec, q, 201);
  return { status: 204, headers: entityIdHeader(ctx, em, rec[pk] as string) };
}

export function patchRecord(
  ctx: ApiContext,
  em: EntityModel,
  id: string,
  body: unknown,
  q: QueryOptions,
  ifMatch?: string,
  ifNoneMatch?: string,
): ApiResult {
  const existing = ctx.store.get(em.def.logicalName, id);
  if (ifNoneMatch === '*' && existing) throw duplicate();
  if (ifMatch !== undefined) {
    if (!existing) throw Errors.notFound(em.def.logicalName, id);
    if (ifMatch !== '*' && ifMatch !== etag(existing)) throw Errors.versionMismatch();
  }
  if (!existing) return createRecord(ctx, em, body, q, id); // upsert
  const p = parseBody(ctx, em, body, 'update');
  validateChildren(ctx, p);
  const rec = commit(ctx, p, existing);
  ctx.store.changed();
  if (ctx.prefer.returnRepresentation) return representation(ctx, em, rec, q, 200);
  return { status: 204, headers: entityIdHeader(ctx, em, id) };
}

/**
 * DELETE with the relationship cascades: Cascade deletes related records (recursively), RemoveLink clears the lookup,
 * Restrict refuses while related records exist — 400 `0x80040227` (CannotDeleteDueToAssociation)
 * "The object you tried to delete is associated with another object and cannot be deleted.", as the platform reports it.
 * With `If-Match: W/"n"` a record changed since that version is not deleted (412).
 */
export function deleteRecord(ctx: ApiContext, em: EntityModel, id: string, ifMatch?: string): ApiResult {
  const existing = ctx.store.get(em.def.logicalName, id);
  if (!existing) throw Errors.notFound(em.def.logicalName, id);
  // Optimistic concurrency as for PATCH: a stale etag refuses the delete with 412.
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag(existing)) throw Errors.versionMismatch();
  const doomed = new Map<string, { entity: string; id: string }>();
  const refs = (entity: string) => referencing(ctx, entity);
  const collect = (entity: string, rid: string) => {
    const k = `${entity}:${rid}`;
    if (doomed.has(k)) return;
    doomed.set(k, { entity, id: rid });
    for (const r of refs(entity)) {
      if (r.cascade !== 'Cascade') continue;
      for (const row of ctx.store.table(r.child).values()) {
        if (row[r.key] === rid && row[r.key + LOOKUP_TYPE] === entity) collect(r.child, row[r.pk] as string);
      }
    }
  };
  collect(em.def.logicalName, id);
  const unlink: { rec: Rec; attr: string; child: string }[] = [];
  for (const { entity, id: rid } of doomed.values()) {
    for (const r of refs(entity)) {
      if (r.cascade === 'Cascade') continue;
      for (const row of ctx.store.table(r.child).values()) {
        if (row[r.key] !== rid || row[r.key + LOOKUP_TYPE] !== entity) continue;
        if (doomed.has(`${r.child}:${row[r.pk]}`)) continue;
        if (r.cascade === 'Restrict') {
          throw new ApiError(400, '0x80040227', 'The object you tried to delete is associated with another object and cannot be deleted.');
        }
        unlink.push({ rec: row, attr: r.attr, child: r.child });
      }
    }
  }
  for (const u of unlink) {
    setLookup(u.rec, u.attr, null, null);
    ctx.store.put(u.child, u.rec);
  }
  for (const d of doomed.values()) ctx.store.remove(d.entity, d.id);
  ctx.store.changed();
  return { status: 204 };
}

interface Ref {
  child: string;
  attr: string;
  key: string;
  pk: string;
  cascade: string;
}
const refCache = new WeakMap<object, Map<string, Ref[]>>();

function referencing(ctx: ApiContext, entity: string): Ref[] {
  let m = refCache.get(ctx.model);
  if (!m) refCache.set(ctx.model, (m = new Map()));
  let list = m.get(entity);
  if (!list) {
    list = [];
    for (const em of ctx.model.list)
      for (const a of em.lookups)
        for (const t of a.targets ?? []) {
          if (t.entity === entity)
            list.push({
              child: em.def.logicalName,
              attr: a.logicalName,
              key: `_${a.logicalName}_value`,
              pk: em.def.primaryIdAttribute,
              cascade: t.cascadeDelete,
            });
        }
    m.set(entity, list);
  }
  return list;
}
