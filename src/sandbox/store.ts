import { Model } from './metadata/registry';

export type Rec = Record<string, unknown>;

export interface StoreSnapshot {
  format: 'dataverse-emulator/1';
  rowVersion: number;
  tables: Record<string, Rec[]>;
}

/** In-memory tables keyed by logical name, then by lowercase primary key. Records are in Web API shape. */
export class Store {
  readonly tables = new Map<string, Map<string, Rec>>();
  rowVersion = 1_000_000;
  onChange?: () => void;
  /** Per-table rows sorted by primary key; dropped on every insert/delete. */
  private readonly sorted = new Map<string, Rec[]>();

  constructor(readonly model: Model) {
    for (const em of model.list) this.tables.set(em.def.logicalName, new Map());
  }

  table(logicalName: string): Map<string, Rec> {
    const t = this.tables.get(logicalName);
    if (!t) throw new Error(`unknown table ${logicalName}`);
    return t;
  }

  get(logicalName: string, id: string): Rec | undefined {
    return this.tables.get(logicalName)?.get(id.toLowerCase());
  }

  nextVersion(): number {
    return ++this.rowVersion;
  }

  /** Inserts or replaces a record, stamping a fresh rowversion. */
  put(logicalName: string, rec: Rec): Rec {
    const em = this.model.entities.get(logicalName)!;
    const id = String(rec[em.def.primaryIdAttribute]).toLowerCase();
    rec[em.def.primaryIdAttribute] = id;
    if (em.attrs.has('versionnumber')) rec.versionnumber = this.nextVersion();
    const t = this.table(logicalName);
    if (t.get(id) !== rec) this.sorted.delete(logicalName);
    t.set(id, rec);
    return rec;
  }

  remove(logicalName: string, id: string): boolean {
    this.sorted.delete(logicalName);
    return this.table(logicalName).delete(id.toLowerCase());
  }

  /** All rows of a table in primary-key order (cached; callers must not mutate the array). */
  rowsByKey(logicalName: string): readonly Rec[] {
    let rows = this.sorted.get(logicalName);
    if (!rows) {
      const t = this.table(logicalName);
      const ids = [...t.keys()].sort();
      rows = ids.map((id) => t.get(id)!);
      this.sorted.set(logicalName, rows);
    }
    return rows;
  }

  changed(): void {
    this.onChange?.();
  }

  snapshot(): StoreSnapshot {
    const tables: Record<string, Rec[]> = {};
    for (const [name, t] of this.tables) tables[name] = [...t.values()];
    return { format: 'dataverse-emulator/1', rowVersion: this.rowVersion, tables };
  }

  load(s: StoreSnapshot): void {
    this.rowVersion = s.rowVersion;
    for (const [name, rows] of Object.entries(s.tables)) {
      const em = this.model.entities.get(name);
      if (!em) continue;
      const t = this.table(name);
      this.sorted.delete(name);
      t.clear();
      for (const r of rows) t.set(String(r[em.def.primaryIdAttribute]).toLowerCase(), r);
    }
  }
}

/** Suffix of the hidden key holding a lookup's target table (the same name as the Web API annotation). */
export const LOOKUP_TYPE = '@Microsoft.Dynamics.CRM.lookuplogicalname';

export function setLookup(rec: Rec, attr: string, entity: string | null, id: string | null): void {
  const k = `_${attr}_value`;
  if (!id || !entity) {
    rec[k] = null;
    delete rec[k + LOOKUP_TYPE];
    return;
  }
  rec[k] = id.toLowerCase();
  rec[k + LOOKUP_TYPE] = entity;
}

export function lookupOf(rec: Rec, attr: string): { id: string; entity: string } | null {
  const k = `_${attr}_value`;
  const id = rec[k];
  if (typeof id !== 'string') return null;
  return { id, entity: rec[k + LOOKUP_TYPE] as string };
}
