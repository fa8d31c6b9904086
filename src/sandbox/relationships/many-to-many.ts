import { nameGuid } from '../metadata/registry';

/**
 * The emulator's N:N relationships. Each has an intersect table whose rows hold the two record ids; the
 * navigation property is the same from both sides (as Dataverse names them: the schema name).
 */
export interface ManyToMany {
  schemaName: string;
  entity1: string;
  entity2: string;
  entity1Nav: string;
  entity2Nav: string;
  intersect: string;
  isCustom: boolean;
}

export const MANY_TO_MANY: ManyToMany[] = [
  {
    schemaName: 'accountleads_association',
    entity1: 'account',
    entity2: 'lead',
    entity1Nav: 'accountleads_association',
    entity2Nav: 'accountleads_association',
    intersect: 'accountleads',
    isCustom: false,
  },
  {
    schemaName: 'cr8a1_project_contact',
    entity1: 'cr8a1_project',
    entity2: 'contact',
    entity1Nav: 'cr8a1_project_contact',
    entity2Nav: 'cr8a1_project_contact',
    intersect: 'cr8a1_project_contact',
    isCustom: true,
  },
];

/** N:N relationships of `entity`, each with the navigation property from its side and the other table. */
export function manyToManyOf(entity: string): Array<{ rel: ManyToMany; nav: string; other: string }> {
  const out: Array<{ rel: ManyToMany; nav: string; other: string }> = [];
  for (const rel of MANY_TO_MANY) {
    if (rel.entity1 === entity) out.push({ rel, nav: rel.entity1Nav, other: rel.entity2 });
    else if (rel.entity2 === entity) out.push({ rel, nav: rel.entity2Nav, other: rel.entity1 });
  }
  return out;
}

/** `ManyToManyRelationshipMetadata` as the Web API returns it. */
export function manyToManyJson(r: ManyToMany): Record<string, unknown> {
  return {
    MetadataId: nameGuid(`rel:${r.schemaName}`),
    HasChanged: null,
    IsCustomRelationship: r.isCustom,
    IsValidForAdvancedFind: true,
    SchemaName: r.schemaName,
    SecurityTypes: 'Append',
    IsManaged: !r.isCustom,
    RelationshipType: 'ManyToManyRelationship',
    IntroducedVersion: r.isCustom ? '1.0.0.0' : '5.0.0.0',
    Entity1LogicalName: r.entity1,
    Entity2LogicalName: r.entity2,
    IntersectEntityName: r.intersect,
    Entity1IntersectAttribute: `${r.entity1}id`,
    Entity2IntersectAttribute: `${r.entity2}id`,
    Entity1NavigationPropertyName: r.entity1Nav,
    Entity2NavigationPropertyName: r.entity2Nav,
  };
}

/** Intersect tables: relationship schema name → "<entity1 id>|<entity2 id>" → row. */
export class IntersectTables {
  private readonly tables = new Map<string, Map<string, Record<string, string>>>();

  private table(rel: ManyToMany): Map<string, Record<string, string>> {
    let t = this.tables.get(rel.schemaName);
    if (!t) this.tables.set(rel.schemaName, (t = new Map()));
    return t;
  }

  private key(rel: ManyToMany, entity: string, id: string, otherId: string): string {
    return rel.entity1 === entity ? `${id}|${otherId}` : `${otherId}|${id}`;
  }

  has(rel: ManyToMany, entity: string, id: string, otherId: string): boolean {
    return this.table(rel).has(this.key(rel, entity, id, otherId));
  }

  add(rel: ManyToMany, entity: string, id: string, otherId: string): void {
    const [a, b] = this.key(rel, entity, id, otherId).split('|');
    this.table(rel).set(`${a}|${b}`, {
      [`${rel.intersect}id`]: nameGuid(`${rel.schemaName}:${a}:${b}`),
      [`${rel.entity1}id`]: a,
      [`${rel.entity2}id`]: b,
    });
  }

  remove(rel: ManyToMany, entity: string, id: string, otherId: string): boolean {
    return this.table(rel).delete(this.key(rel, entity, id, otherId));
  }

  /** Ids of the records related to `id` (of `entity`) through `rel`. */
  related(rel: ManyToMany, entity: string, id: string): string[] {
    const mine = rel.entity1 === entity ? 0 : 1;
    return [...this.table(rel).keys()]
      .map((k) => k.split('|'))
      .filter((p) => p[mine] === id)
      .map((p) => p[1 - mine]);
  }

  /** A copy of every intersect row, for a change set's rollback. */
  snapshot(): Map<string, Map<string, Record<string, string>>> {
    return new Map([...this.tables].map(([k, t]) => [k, new Map(t)]));
  }

  restore(saved: Map<string, Map<string, Record<string, string>>>): void {
    this.tables.clear();
    for (const [k, t] of saved) this.tables.set(k, t);
  }

  /** Drops every row that names `id` (its record was deleted). */
  forget(entity: string, id: string): void {
    for (const rel of MANY_TO_MANY) {
      if (rel.entity1 !== entity && rel.entity2 !== entity) continue;
      for (const k of [...this.table(rel).keys()]) {
        const [a, b] = k.split('|');
        if ((rel.entity1 === entity && a === id) || (rel.entity2 === entity && b === id)) this.table(rel).delete(k);
      }
    }
  }
}
