import { ApiError, Errors } from '../errors';
import { AttrDef } from '../metadata/model';
import { EntityModel, Relationship } from '../metadata/registry';
import {
  CAST_NAVIGATION,
  CAST_PROPERTIES,
  attributeJson,
  attributeTypeName,
  entityJson,
  oneToManyJson,
  optionSetJson,
} from '../metadata/serialize';
import { Edm, compileFilter, parseFilter } from '../odata/filter-parser';
import { ExpandItem, QueryOptions } from '../odata/query';
import { Rec } from '../store';
import { MANY_TO_MANY, manyToManyJson, manyToManyOf } from '../relationships/many-to-many';
import { ApiContext, ApiResult } from './context';

/** EntityDefinitions and its Attributes / relationship collections, with $select, $filter and $expand. */

const ENUM_PROPS = new Set(['OwnershipType', 'AttributeType', 'RelationshipType', 'SecurityTypes', 'TableType']);
const NS = 'Microsoft.Dynamics.CRM.';

/** A copy of `obj` with the selected properties (all of them without $select): callers may add navigation values. */
function project(obj: Rec, select: string[] | null, always: string[]): Rec {
  if (!select) return { ...obj };
  const out: Rec = {};
  for (const k of always) if (k in obj) out[k] = obj[k];
  for (const k of select) out[k] = obj[k];
  return out;
}

function checkSelect(select: string[] | undefined, allowed: Set<string>, type: string): string[] | null {
  if (!select) return null;
  for (const s of select) if (!allowed.has(s)) throw Errors.propertyNotFound(s, type);
  return select;
}

function metaFilter(filter: string | undefined, sample: Rec, type: string): ((r: Rec) => boolean) | undefined {
  if (filter === undefined) return undefined;
  return compileFilter(parseFilter(filter), {
    bind(path) {
      if (!(path in sample)) throw Errors.propertyNotFound(path, type);
      const v = sample[path];
      let edm: Edm = 'Edm.String';
      if (ENUM_PROPS.has(path)) edm = 'Edm.Enum';
      else if (typeof v === 'boolean') edm = 'Edm.Boolean';
      else if (typeof v === 'number') edm = 'Edm.Int32';
      else if (v && typeof v === 'object') edm = 'Edm.Complex';
      if (edm === 'Edm.Complex') throw Errors.query(`The property '${path}' is a complex type and cannot be used in a $filter expression.`);
      return { edm, get: (r) => r[path] };
    },
  });
}

/*
 * The model never changes once built, so each definition's JSON is rendered once (a cast request would otherwise
 * render every attribute of the table, labels and GUIDs included, to keep a few). The kept objects are frozen all
 * the way down, so an answer that changes one throws instead of changing every later answer; `project` hands out
 * copies of the top level.
 */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) frozen(child);
  }
  return value;
}

const entityMemo = new WeakMap<EntityModel, Rec>();
const attributesMemo = new WeakMap<EntityModel, { a: AttrDef; json: Rec; cast: string }[]>();
const optionSetMemo = new WeakMap<EntityModel, Map<AttrDef, Rec>>();

function entityOf(em: EntityModel): Rec {
  let json = entityMemo.get(em);
  if (!json) entityMemo.set(em, (json = frozen(entityJson(em))));
  return json;
}

function optionSetOf(a: AttrDef, em: EntityModel): Rec {
  let sets = optionSetMemo.get(em);
  if (!sets) optionSetMemo.set(em, (sets = new Map()));
  let json = sets.get(a);
  if (!json) sets.set(a, (json = frozen(optionSetJson(a, em))));
  return json;
}

const ENTITY_NAVS = ['Attributes', 'ManyToOneRelationships', 'OneToManyRelationships', 'ManyToManyRelationships', 'Keys'];

function entityObject(ctx: ApiContext, em: EntityModel, select: string[] | null, expand: ExpandItem[]): Rec {
  const out = project(entityOf(em), select, ['MetadataId']);
  for (const x of expand) out[x.nav] = navCollection(ctx, em, x.nav, x.select, x.filter).items;
  return out;
}

export function listEntities(ctx: ApiContext, q: QueryOptions): ApiResult {
  const sample = entityOf(ctx.model.list[0]);
  const type = `${NS}EntityMetadata`;
  const select = checkSelect(q.select, new Set(Object.keys(sample)), type);
  for (const x of q.expand) if (!ENTITY_NAVS.includes(x.nav)) throw Errors.propertyNotFound(x.nav, type);
  const pred = metaFilter(q.filter, sample, type);
  const value = ctx.model.list.filter((em) => !pred || pred(entityOf(em))).map((em) => entityObject(ctx, em, select, q.expand));
  return {
    status: 200,
    body: { '@odata.context': `${ctx.apiUrl}$metadata#EntityDefinitions${select ? `(${select.join(',')})` : ''}`, value },
  };
}

export function findEntity(ctx: ApiContext, key: string): EntityModel {
  const m = /^LogicalName='([^']*)'$/.exec(key);
  let em: EntityModel | undefined;
  if (m) em = ctx.model.entities.get(m[1]);
  else if (/^[0-9a-fA-F-]{36}$/.test(key)) em = ctx.model.list.find((e) => e.metadataId === key.toLowerCase());
  else throw Errors.query(`Bad Request - Error in query syntax.`);
  if (!em) {
    throw new ApiError(
      404,
      '0x80040217',
      m ? `Could not find entity with logical name '${m[1]}'.` : `Could not find entity with MetadataId '${key}'.`,
    );
  }
  return em;
}

export function getEntity(ctx: ApiContext, em: EntityModel, q: QueryOptions): ApiResult {
  const full = entityOf(em);
  const type = `${NS}EntityMetadata`;
  const select = checkSelect(q.select, new Set(Object.keys(full)), type);
  for (const x of q.expand) if (!ENTITY_NAVS.includes(x.nav)) throw Errors.propertyNotFound(x.nav, type);
  const body = {
    '@odata.context': `${ctx.apiUrl}$metadata#EntityDefinitions${select ? `(${select.join(',')})` : ''}/$entity`,
    ...entityObject(ctx, em, select, q.expand),
  };
  return { status: 200, body };
}

function attributeItems(em: EntityModel, cast: string | null): { a: AttrDef; json: Rec }[] {
  let all = attributesMemo.get(em);
  if (!all) {
    all = em.def.attributes.map((a, i) => ({ a, json: frozen(attributeJson(a, em, i)), cast: attributeTypeName(a) }));
    attributesMemo.set(em, all);
  }
  return cast ? all.filter((x) => x.cast === cast) : all;
}

const BASE_ATTR_PROPS = (() => {
  let cache: Set<string> | undefined;
  return (sample: Rec): Set<string> => {
    if (cache) return cache;
    const typed = new Set(Object.values(CAST_PROPERTIES).flat());
    cache = new Set(Object.keys(sample).filter((k) => !typed.has(k)));
    return cache;
  };
})();

function relItems(em: EntityModel, nav: string): Rec[] {
  if (nav === 'ManyToManyRelationships') return manyToManyOf(em.def.logicalName).map((x) => manyToManyJson(x.rel));
  const rels: Relationship[] = nav === 'ManyToOneRelationships' ? em.manyToOne : nav === 'OneToManyRelationships' ? em.oneToMany : [];
  return rels.map(oneToManyJson);
}

function navCollection(
  ctx: ApiContext,
  em: EntityModel,
  nav: string,
  select?: string[],
  filter?: string,
  cast: string | null = null,
  expand: ExpandItem[] = [],
): { items: Rec[]; select: string[] | null } {
  if (nav === 'Attributes') {
    const items = attributeItems(em, cast);
    const sample = items[0]?.json ?? attributeItems(em, null)[0].json;
    const type = `${NS}${cast ?? 'AttributeMetadata'}`;
    const allowed = new Set([...BASE_ATTR_PROPS(sample), ...(cast ? CAST_PROPERTIES[cast] : [])]);
    const sel = checkSelect(select, allowed, type);
    for (const x of expand) if (!cast || !(CAST_NAVIGATION[cast] ?? []).includes(x.nav)) throw Errors.propertyNotFound(x.nav, type);
    const pred = metaFilter(filter, sample, type);
    const out = items
      .filter((x) => !pred || pred(x.json))
      .map(({ a, json }) => {
        const o = project(json, sel, ['@odata.type', 'MetadataId']);
        for (const x of expand) {
          if (x.nav === 'GlobalOptionSet' && !a.globalOptionSet) {
            o.GlobalOptionSet = null;
            continue;
          }
          const os = optionSetOf(a, em);
          o[x.nav] = x.select ? project(os, x.select, ['MetadataId']) : os;
        }
        return o;
      });
    return { items: out, select: sel };
  }
  if (nav === 'ManyToOneRelationships' || nav === 'OneToManyRelationships' || nav === 'ManyToManyRelationships' || nav === 'Keys') {
    if (cast) throw Errors.segmentNotFound(`${NS}${cast}`);
    const items = relItems(em, nav);
    const sample =
      nav === 'ManyToManyRelationships'
        ? manyToManyJson(MANY_TO_MANY[0])
        : oneToManyJson({
            schemaName: '',
            referencingEntity: '',
            referencingAttribute: '',
            referencedEntity: '',
            referencedAttribute: '',
            referencingNav: '',
            referencedNav: '',
            cascadeDelete: 'RemoveLink',
            isCustom: false,
            metadataId: '',
          });
    const type = `${NS}${nav === 'Keys' ? 'EntityKeyMetadata' : nav === 'ManyToManyRelationships' ? 'ManyToManyRelationshipMetadata' : 'OneToManyRelationshipMetadata'}`;
    const sel = checkSelect(select, new Set(Object.keys(sample)), type);
    const pred = metaFilter(filter, sample, type);
    return { items: items.filter((r) => !pred || pred(r)).map((r) => project(r, sel, ['MetadataId'])), select: sel };
  }
  throw Errors.segmentNotFound(nav);
}

/** EntityDefinitions(key)/<nav>[/cast][(key)][/cast] */
export function getEntityNav(ctx: ApiContext, em: EntityModel, segments: string[], q: QueryOptions): ApiResult {
  let navSeg = segments[0];
  let itemKey: string | null = null;
  const km = /^(\w+)\((.*)\)$/.exec(navSeg);
  if (km) {
    navSeg = km[1];
    itemKey = km[2];
  }
  let cast: string | null = null;
  for (const s of segments.slice(1)) {
    if (s.startsWith(NS)) {
      const name = s.slice(NS.length);
      if (name === 'EnumAttributeMetadata' || name === 'AttributeMetadata') {
        throw new ApiError(
          400,
          '0x80060888',
          `The type '${s}' is abstract and cannot be used as a type cast segment. Cast to a concrete type such as '${NS}PicklistAttributeMetadata', '${NS}StateAttributeMetadata' or '${NS}StatusAttributeMetadata'.`,
        );
      }
      if (!CAST_PROPERTIES[name] || navSeg !== 'Attributes') throw Errors.segmentNotFound(s);
      cast = name;
    } else throw Errors.segmentNotFound(s);
  }
  if (!ENTITY_NAVS.includes(navSeg)) throw Errors.segmentNotFound(navSeg);
  const { items, select } = navCollection(ctx, em, navSeg, q.select, itemKey ? undefined : q.filter, cast, q.expand);
  const path = `${ctx.apiUrl}$metadata#EntityDefinitions(${em.metadataId})/${navSeg}${cast ? `/${NS}${cast}` : ''}`;
  const exp = q.expand.map((x) => `${x.nav}(${x.select?.join(',') ?? '*'})`);
  const ctxSel = select || exp.length ? `(${[...(select ?? ['*']), ...exp].join(',')})` : '';
  if (itemKey !== null) {
    const m = /^LogicalName='([^']*)'$/.exec(itemKey) ?? /^SchemaName='([^']*)'$/.exec(itemKey);
    const all = navCollection(ctx, em, navSeg, undefined, undefined, cast).items;
    const idx = all.findIndex((it) => (m ? it.LogicalName === m[1] || it.SchemaName === m[1] : it.MetadataId === itemKey.toLowerCase()));
    if (idx < 0) throw new ApiError(404, '0x80040217', `Could not find attribute with key ${itemKey} on entity ${em.def.logicalName}.`);
    return { status: 200, body: { '@odata.context': `${path}${ctxSel}/$entity`, ...items[idx] } };
  }
  return { status: 200, body: { '@odata.context': `${path}${ctxSel}`, value: items } };
}
