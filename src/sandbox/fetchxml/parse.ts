import { ApiError } from '../errors';
import { AttrDef } from '../metadata/model';
import { EntityModel, Model } from '../metadata/registry';
import { XmlElement, XmlError, parseXml } from './xml';

/** FetchXML documents bound to the emulator's metadata: every entity and attribute checked, documented errors. */

export type AggregateFn = 'count' | 'countcolumn' | 'sum' | 'avg' | 'min' | 'max';
export type DatePart = 'day' | 'week' | 'month' | 'quarter' | 'year';
const AGGREGATES = new Set<AggregateFn>(['count', 'countcolumn', 'sum', 'avg', 'min', 'max']);
const DATE_PARTS = new Set<DatePart>(['day', 'week', 'month', 'quarter', 'year']);
const MAX_LINKS = 15;

export interface FetchAttr {
  attr: AttrDef;
  alias?: string;
  aggregate?: AggregateFn;
  distinct: boolean;
  groupby: boolean;
  dategrouping?: DatePart;
}
export interface FetchCondition {
  attr: AttrDef;
  /** Index of the node (root 0) the attribute belongs to. */
  node: number;
  operator: string;
  values: string[];
}
export interface FetchFilter {
  type: 'and' | 'or';
  conditions: FetchCondition[];
  filters: FetchFilter[];
}
export interface FetchOrder {
  node: number;
  attr?: AttrDef;
  alias?: string;
  descending: boolean;
}
export interface FetchNode {
  index: number;
  entity: EntityModel;
  /** '' for the root entity. */
  alias: string;
  attrs: FetchAttr[];
  all: boolean;
  filter?: FetchFilter;
  /** Link entities only. */
  parent?: number;
  from?: AttrDef;
  to?: AttrDef;
  linkType?: 'inner' | 'outer' | 'exists' | 'in' | 'any';
}
export interface FetchQuery {
  nodes: FetchNode[];
  orders: FetchOrder[];
  aggregate: boolean;
  distinct: boolean;
  top?: number;
  count?: number;
  page?: number;
  pagingCookie?: string;
  totalRecordCount: boolean;
  useRawOrderBy: boolean;
}

export const fetchError = (message: string, code = '0x80041102', status = 400) => new ApiError(status, code, message);
export const noAttribute = (entity: string, name: string) =>
  fetchError(`'${entity}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical'.`, '0x80041103');

const bool = (v: string | undefined) => v === 'true' || v === '1';
function int(el: XmlElement, name: string, min: number, max: number): number | undefined {
  const v = el.attrs[name];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw fetchError(`The '${name}' attribute of <fetch> must be an integer from ${min} to ${max}; '${v}' is not.`, '0x80040203');
  return Number(v);
}

/** Parses and validates a FetchXML document for the entity set it was sent to. */
export function parseFetch(model: Model, xml: string, entitySetEntity: EntityModel): FetchQuery {
  let doc: XmlElement;
  try {
    doc = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlError) throw fetchError(`The FetchXML is not well-formed XML: ${e.message}`, '0x80040203');
    throw e;
  }
  if (doc.name !== 'fetch') throw fetchError(`The root element of a FetchXML query must be <fetch>, not <${doc.name}>.`, '0x80040203');
  const entities = doc.children.filter((c) => c.name === 'entity');
  if (entities.length !== 1) throw fetchError('A <fetch> element must contain exactly one <entity> element.', '0x80040203');
  const rootEl = entities[0];
  const q: FetchQuery = {
    nodes: [],
    orders: [],
    aggregate: bool(doc.attrs.aggregate),
    distinct: bool(doc.attrs.distinct),
    top: int(doc, 'top', 1, 5000),
    count: int(doc, 'count', 1, 5000),
    page: int(doc, 'page', 1, 1_000_000),
    pagingCookie: doc.attrs['paging-cookie'],
    totalRecordCount: bool(doc.attrs.returntotalrecordcount),
    useRawOrderBy: bool(doc.attrs.useraworderby),
  };
  if (q.top !== undefined && (q.count !== undefined || q.page !== undefined))
    throw fetchError("The 'top' attribute can't be specified with paging attribute 'count' or 'page'.", '0x80040203');
  const em = entityOf(model, rootEl);
  if (em !== entitySetEntity)
    throw fetchError(
      `The entity name specified in FetchXml '${em.def.logicalName}' does not match the entity name in the EntitySet '${entitySetEntity.def.logicalName}'.`,
      '0x80040203',
    );
  let links = 0;
  const aliases = new Set<string>();
  const counters = new Map<string, number>();
  const pendingConditions: { cond: XmlElement; filter: FetchFilter; node: FetchNode }[] = [];

  const readNode = (el: XmlElement, node: FetchNode) => {
    for (const c of el.children) {
      if (c.name === 'attribute') node.attrs.push(readAttr(q, node, c));
      else if (c.name === 'all-attributes') node.all = true;
      else if (c.name === 'order') {
        const alias = c.attrs.alias;
        const name = c.attrs.attribute;
        if (q.aggregate && name !== undefined)
          throw fetchError('An attribute cannot be specified for an order clause for an aggregate Query. Use an alias', '0x80040203');
        if (name === undefined && alias === undefined) throw fetchError('An <order> element needs an attribute or an alias.', '0x80040203');
        q.orders.push({
          node: node.index,
          attr: name !== undefined ? attrOf(node.entity, name) : undefined,
          alias,
          descending: bool(c.attrs.descending),
        });
      } else if (c.name === 'filter') {
        const f = readFilter(c, node);
        node.filter = node.filter ? { type: 'and', conditions: [], filters: [node.filter, f] } : f;
      } else if (c.name === 'link-entity') {
        if (++links > MAX_LINKS) throw fetchError('Number of link entities in query exceeded maximum limit.', '0x8004430D');
        const lem = entityOf(model, c);
        const type = (c.attrs['link-type'] ?? 'inner') as FetchNode['linkType'];
        if (!['inner', 'outer', 'exists', 'in', 'any'].includes(type!))
          throw fetchError(`The link-type '${c.attrs['link-type']}' is not supported.`, '0x80040203');
        if (c.attrs.from === undefined || c.attrs.to === undefined)
          throw fetchError("A <link-entity> element needs both 'from' and 'to' attributes.", '0x80040203');
        let alias = c.attrs.alias;
        if (!alias) {
          const n = (counters.get(lem.def.logicalName) ?? 0) + 1;
          counters.set(lem.def.logicalName, n);
          alias = `${lem.def.logicalName}${n}`;
        }
        if (aliases.has(alias)) throw fetchError(`The alias '${alias}' is used more than once in the query.`, '0x80040203');
        aliases.add(alias);
        const child: FetchNode = {
          index: q.nodes.length,
          entity: lem,
          alias,
          attrs: [],
          all: false,
          parent: node.index,
          from: attrOf(lem, c.attrs.from),
          to: attrOf(node.entity, c.attrs.to),
          linkType: type,
        };
        q.nodes.push(child);
        readNode(c, child);
      }
    }
  };
  const readFilter = (el: XmlElement, node: FetchNode): FetchFilter => {
    const type = el.attrs.type ?? 'and';
    if (type !== 'and' && type !== 'or') throw fetchError(`The filter type '${type}' is not valid; use 'and' or 'or'.`, '0x80040203');
    const f: FetchFilter = { type, conditions: [], filters: [] };
    for (const c of el.children) {
      if (c.name === 'condition') pendingConditions.push({ cond: c, filter: f, node });
      else if (c.name === 'filter') f.filters.push(readFilter(c, node));
    }
    return f;
  };

  const root: FetchNode = { index: 0, entity: em, alias: '', attrs: [], all: false };
  q.nodes.push(root);
  readNode(rootEl, root);
  // Conditions may name any alias (entityname), so they are bound once every link entity is known.
  for (const { cond, filter, node } of pendingConditions) {
    let target = node;
    const en = cond.attrs.entityname;
    if (en !== undefined) {
      const found = q.nodes.find((n) => n.alias === en || (n.index === 0 && n.entity.def.logicalName === en));
      if (!found) throw fetchError(`No link-entity with the alias or name '${en}' exists in the query.`, '0x80040203');
      target = found;
    }
    const name = cond.attrs.attribute;
    if (!name) throw fetchError("A <condition> element needs an 'attribute'.", '0x80040203');
    const operator = cond.attrs.operator;
    if (!operator) throw fetchError("A <condition> element needs an 'operator'.", '0x80040203');
    const values = cond.attrs.value !== undefined ? [cond.attrs.value] : cond.children.filter((v) => v.name === 'value').map((v) => v.text);
    filter.conditions.push({ attr: attrOf(target.entity, name), node: target.index, operator, values });
  }
  if (q.aggregate) {
    for (const n of q.nodes) {
      if (n.all) throw fetchError('The <all-attributes> element is not valid in an aggregate query.', '0x80040203');
      for (const a of n.attrs)
        if (!a.alias) throw fetchError('An alias is required for every attribute of an aggregate query.', '0x80040203');
        else if (!a.aggregate && !a.groupby)
          throw fetchError(
            `The attribute '${a.attr.logicalName}' of an aggregate query needs an aggregate or groupby='true'.`,
            '0x80040203',
          );
    }
  }
  return q;
}

function readAttr(q: FetchQuery, node: FetchNode, c: XmlElement): FetchAttr {
  const name = c.attrs.name;
  if (!name) throw fetchError("An <attribute> element needs a 'name'.", '0x80040203');
  const attr = attrOf(node.entity, name);
  const agg = c.attrs.aggregate as AggregateFn | undefined;
  if (agg !== undefined && !AGGREGATES.has(agg)) throw fetchError(`The aggregate '${agg}' is not valid.`, '0x80040203');
  if ((agg || bool(c.attrs.groupby)) && !q.aggregate)
    throw fetchError("Aggregate and groupby attributes need aggregate='true' on the <fetch> element.", '0x80040203');
  const dg = c.attrs.dategrouping as DatePart | undefined;
  if (dg !== undefined && !DATE_PARTS.has(dg)) throw fetchError(`The dategrouping '${dg}' is not supported.`, '0x80040203');
  if (dg !== undefined && attr.type !== 'DateTime')
    throw fetchError(`The dategrouping attribute is only valid on date and time attributes, not on '${name}'.`, '0x80040203');
  if ((agg === 'sum' || agg === 'avg') && !['Integer', 'BigInt', 'Decimal', 'Double', 'Money'].includes(attr.type))
    throw fetchError(`The aggregate '${agg}' is not valid on the attribute '${name}' of type ${attr.type}.`, '0x80040203');
  return { attr, alias: c.attrs.alias, aggregate: agg, distinct: bool(c.attrs.distinct), groupby: bool(c.attrs.groupby), dategrouping: dg };
}

function entityOf(model: Model, el: XmlElement): EntityModel {
  const name = el.attrs.name;
  const em = name === undefined ? undefined : model.entities.get(name);
  if (!em) throw fetchError(`The entity with a name = '${name ?? ''}' with namemapping = 'Logical' was not found in the MetadataCache.`);
  return em;
}

export function attrOf(em: EntityModel, name: string): AttrDef {
  const a = em.attrs.get(name);
  if (!a || a.type === 'Virtual') throw noAttribute(em.def.logicalName, name);
  return a;
}
