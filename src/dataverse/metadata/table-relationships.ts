/** A relationship through which records of a table can be linked to records of another (collection-valued). */
export interface TableRelationship {
  /** Schema name, e.g. `accountleads_association`. */
  name: string;
  /** Navigation property from this table (case-sensitive). */
  nav: string;
  /** The other table. */
  table: string;
  kind: 'N:N' | '1:N';
}

/** An N:N relationship as `ManyToManyRelationships($select=...)` gives it. */
export interface RawManyToMany {
  SchemaName: string;
  Entity1LogicalName: string;
  Entity2LogicalName: string;
  Entity1NavigationPropertyName?: string | null;
  Entity2NavigationPropertyName?: string | null;
}

/** A 1:N relationship as `OneToManyRelationships($select=...)` gives it. */
export interface RawOneToMany {
  SchemaName: string;
  ReferencingEntity: string;
  ReferencedEntityNavigationPropertyName?: string | null;
}

export const MANY_TO_MANY_SELECT: Array<keyof RawManyToMany> = [
  'SchemaName',
  'Entity1LogicalName',
  'Entity2LogicalName',
  'Entity1NavigationPropertyName',
  'Entity2NavigationPropertyName',
];
export const ONE_TO_MANY_SELECT: Array<keyof RawOneToMany> = ['SchemaName', 'ReferencingEntity', 'ReferencedEntityNavigationPropertyName'];

/**
 * The relationships a record of `logicalName` can be linked through: every N:N (seen from this table's side: a
 * self-referencing one from Entity1's) and every 1:N, each with a navigation property on this table.
 */
export function tableRelationships(logicalName: string, manyToMany: RawManyToMany[], oneToMany: RawOneToMany[]): TableRelationship[] {
  const out: TableRelationship[] = [];
  for (const r of manyToMany) {
    const first = r.Entity1LogicalName === logicalName;
    const nav = first ? r.Entity1NavigationPropertyName : r.Entity2NavigationPropertyName;
    if (nav) out.push({ name: r.SchemaName, nav, table: first ? r.Entity2LogicalName : r.Entity1LogicalName, kind: 'N:N' });
  }
  for (const r of oneToMany) {
    if (r.ReferencedEntityNavigationPropertyName)
      out.push({ name: r.SchemaName, nav: r.ReferencedEntityNavigationPropertyName, table: r.ReferencingEntity, kind: '1:N' });
  }
  return out;
}
