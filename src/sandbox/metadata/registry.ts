import { createHash } from 'node:crypto';
import { accountEntity } from './account';
import { activityEntities, activityPartyEntity } from './activities';
import { contactEntity } from './contact';
import { projectEntity } from './custom';
import { AttrDef, CascadeDelete, EntityDef, LookupTarget } from './model';
import { organizationEntities } from './organization';
import { annotationEntity } from '../notes/annotation-entity';
import { leadEntity, opportunityEntity } from './sales';
import { viewEntities } from '../views/metadata';

export interface Relationship {
  schemaName: string;
  referencingEntity: string;
  referencingAttribute: string;
  referencedEntity: string;
  referencedAttribute: string;
  referencingNav: string;
  referencedNav: string;
  cascadeDelete: CascadeDelete;
  isCustom: boolean;
  metadataId: string;
}

export interface SingleNav {
  attr: AttrDef;
  target: LookupTarget;
}
export interface CollectionNav {
  child: string;
  attr: AttrDef;
  rel: Relationship;
}

export interface EntityModel {
  def: EntityDef;
  metadataId: string;
  attrs: Map<string, AttrDef>;
  /** Web API property name (`name`, `_ownerid_value`) -> attribute. */
  props: Map<string, AttrDef>;
  propNames: string[];
  lookups: AttrDef[];
  singleNavs: Map<string, SingleNav>;
  collectionNavs: Map<string, CollectionNav>;
  manyToOne: Relationship[];
  oneToMany: Relationship[];
}

export interface Model {
  entities: Map<string, EntityModel>;
  bySet: Map<string, EntityModel>;
  list: EntityModel[];
}

export function isLookup(a: AttrDef): boolean {
  return a.type === 'Lookup' || a.type === 'Customer' || a.type === 'Owner';
}

export function propName(a: AttrDef): string {
  return isLookup(a) ? `_${a.logicalName}_value` : a.logicalName;
}

/** A stable GUID derived from a name (metadata ids never change between starts). */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

let cached: Model | undefined;

/** Builds (once, lazily) the full metadata model with computed relationships. */
export function getModel(): Model {
  if (cached) return cached;
  const defs: EntityDef[] = [
    accountEntity(),
    contactEntity(),
    leadEntity(),
    opportunityEntity(),
    ...activityEntities(),
    activityPartyEntity(),
    ...organizationEntities(),
    projectEntity(),
    annotationEntity(),
    ...viewEntities(),
  ];
  const entities = new Map<string, EntityModel>();
  const bySet = new Map<string, EntityModel>();
  for (const def of defs) {
    const attrs = new Map(def.attributes.map((a) => [a.logicalName, a] as const));
    const props = new Map<string, AttrDef>();
    for (const a of def.attributes) if (!a.attributeOf && a.type !== 'Virtual') props.set(propName(a), a);
    const lookups = def.attributes.filter(isLookup);
    const singleNavs = new Map<string, SingleNav>();
    for (const a of lookups) for (const t of a.targets ?? []) singleNavs.set(t.nav, { attr: a, target: t });
    const em: EntityModel = {
      def,
      metadataId: nameGuid(`entity:${def.logicalName}`),
      attrs,
      props,
      propNames: [...props.keys()],
      lookups,
      singleNavs,
      collectionNavs: new Map(),
      manyToOne: [],
      oneToMany: [],
    };
    entities.set(def.logicalName, em);
    bySet.set(def.entitySetName, em);
  }
  for (const em of entities.values()) {
    const seen = new Set<string>();
    for (const a of em.lookups) {
      for (const t of a.targets ?? []) {
        const targetModel = entities.get(t.entity);
        const rel: Relationship = {
          schemaName: t.relationship,
          referencingEntity: em.def.logicalName,
          referencingAttribute: a.logicalName,
          referencedEntity: t.referencedEntity ?? t.entity,
          referencedAttribute: targetModel?.def.primaryIdAttribute ?? `${t.entity}id`,
          referencingNav: t.nav,
          referencedNav: t.relationship,
          cascadeDelete: t.cascadeDelete,
          isCustom: t.relationship.startsWith('cr8a1_'),
          metadataId: nameGuid(`rel:${t.relationship}`),
        };
        if (!seen.has(rel.schemaName)) {
          seen.add(rel.schemaName);
          em.manyToOne.push(rel);
        }
        if (targetModel && !t.referencedEntity) {
          targetModel.oneToMany.push(rel);
          targetModel.collectionNavs.set(rel.referencedNav, { child: em.def.logicalName, attr: a, rel });
        }
      }
    }
  }
  cached = { entities, bySet, list: [...entities.values()] };
  return cached;
}

/** Relationships through which deleting a record of `entity` affects others (owner relationships included). */
export function referencingRelationships(model: Model, entity: string): { child: EntityModel; attr: AttrDef; target: LookupTarget }[] {
  const out: { child: EntityModel; attr: AttrDef; target: LookupTarget }[] = [];
  for (const em of model.list)
    for (const a of em.lookups) for (const t of a.targets ?? []) if (t.entity === entity) out.push({ child: em, attr: a, target: t });
  return out;
}
