import { Logger } from '@nestjs/common';
import type { AppConfig, TableScopeConfig } from '../../config/app-config';
import { ToolError } from '../../common/tool-error';
import type { SchemaField, TableSchema } from '../metadata/schema-format';

/**
 * The table scope (DATAVERSE_TABLES, then DATAVERSE_EXCLUDE_TABLES): the one place that says whether a table may be
 * seen or touched. Services ask it before any request about a table; schemas handed out are cut down to it.
 */
export class TableScope {
  private readonly include?: ReadonlySet<string>;
  private readonly exclude: ReadonlySet<string>;
  private reported = false;

  constructor(config?: TableScopeConfig) {
    this.include = config?.include ? new Set(config.include) : undefined;
    this.exclude = new Set(config?.exclude ?? []);
  }

  /** True when a scope is configured. */
  get active(): boolean {
    return !!this.include || this.exclude.size > 0;
  }

  allows(logicalName: string): boolean {
    const name = logicalName.toLowerCase();
    return (!this.include || this.include.has(name)) && !this.exclude.has(name);
  }

  /** Throws the plain refusal for an out-of-scope table. */
  assert(logicalName: string): void {
    if (!this.allows(logicalName)) throw outsideScope(logicalName);
  }

  filter<T extends { logicalName: string }>(tables: T[]): T[] {
    return this.active ? tables.filter((t) => this.allows(t.logicalName)) : tables;
  }

  /** One line for the banner, e.g. `tables account, contact; excluding payroll`; undefined without a scope. */
  describe(): string | undefined {
    if (!this.active) return undefined;
    const parts: string[] = [];
    if (this.include) parts.push(`only ${[...this.include].join(', ') || '(none)'}`);
    if (this.exclude.size) parts.push(`excluding ${[...this.exclude].join(', ')}`);
    return parts.join('; ');
  }

  /** Configured names the environment does not know: logged once (a warning), never fatal. */
  reportUnknown(known: Iterable<string | { logicalName: string }>, logger: Pick<Logger, 'warn'>): void {
    if (this.reported || !this.active) return;
    this.reported = true;
    const names = new Set([...known].map((k) => (typeof k === 'string' ? k : k.logicalName)));
    const unknown = [...(this.include ?? []), ...this.exclude].filter((n) => !names.has(n));
    if (unknown.length) {
      logger.warn(
        { unknown },
        `DATAVERSE_TABLES / DATAVERSE_EXCLUDE_TABLES name tables this environment does not list: ${unknown.join(', ')} (ignored)`,
      );
    }
  }

  /**
   * The schema as tools may see it: lookup targets outside the scope (and their navigation properties and entity
   * sets) left out, the field marked `outsideScope`. What was left out stays readable through `hiddenTargets` /
   * `hiddenNavigations` for the checks that refuse it.
   */
  view(schema: TableSchema): TableSchema {
    if (!this.active || scopedViews.has(schema)) return schema;
    const cached = views.get(schema);
    if (cached?.scope === this) return cached.view;
    const hiddenNavs = new Map<string, string>();
    const fields = schema.fields.map((f) => {
      if (!f.to) return f;
      const entries = Object.entries(f.to);
      const kept = entries.filter(([t]) => this.allows(t));
      if (kept.length === entries.length) return f;
      const hidden = entries.filter(([t]) => !this.allows(t));
      hidden.forEach(([t, nav]) => hiddenNavs.set(nav.toLowerCase(), t));
      const field: SchemaField = { ...f, to: Object.fromEntries(kept), outsideScope: true };
      fieldHidden.set(
        field,
        hidden.map(([t]) => ({ table: t, entitySet: schema.entitySets[t] })),
      );
      return field;
    });
    const entitySets = Object.fromEntries(Object.entries(schema.entitySets).filter(([t]) => this.allows(t)));
    const relationships = schema.relationships?.filter((r) => this.allows(r.table));
    const view: TableSchema = { ...schema, fields, entitySets, ...(relationships ? { relationships } : {}) };
    schemaHidden.set(view, hiddenNavs);
    scopedViews.add(view);
    views.set(schema, { scope: this, view });
    return view;
  }
}

const views = new WeakMap<TableSchema, { scope: TableScope; view: TableSchema }>();
const fieldHidden = new WeakMap<SchemaField, HiddenTarget[]>();

export interface HiddenTarget {
  table: string;
  entitySet?: string;
}
const schemaHidden = new WeakMap<TableSchema, Map<string, string>>();
const scopedViews = new WeakSet<TableSchema>();

/** True for a schema handed out under an active table scope. */
export function isScoped(schema: TableSchema): boolean {
  return scopedViews.has(schema);
}

/** Tables a lookup field of a scoped schema can point to but that are outside the scope. */
export function hiddenTargets(field: SchemaField): HiddenTarget[] {
  return fieldHidden.get(field) ?? [];
}

/** The out-of-scope table a navigation property of a scoped schema leads to (case-insensitive), if it does. */
export function hiddenNavigation(schema: TableSchema | undefined, nav: string): string | undefined {
  return schema ? schemaHidden.get(schema)?.get(nav.toLowerCase()) : undefined;
}

/** The out-of-scope target of a lookup that `given` (a logical or entity set name) names, if it does. */
export function hiddenTarget(field: SchemaField | undefined, given: string): string | undefined {
  if (!field) return undefined;
  const lower = given.trim().toLowerCase();
  return hiddenTargets(field).find((h) => h.table === lower || h.entitySet?.toLowerCase() === lower)?.table;
}

export function outsideScopeMessage(table: string): string {
  return `Table "${table}" is outside this server's scope; list_tables shows the tables it can use.`;
}

/** The refusal; `near` (tables in scope only) adds a "did you mean" for names that may be typos. */
export function outsideScope(table: string, near: Array<{ logicalName: string }> = []): ToolError {
  const dym = near.length ? ` Did you mean ${near.map((t) => t.logicalName).join(', ')}?` : '';
  return new ToolError('forbidden', `${outsideScopeMessage(table)}${dym}`, { outsideScope: true });
}

const scopes = new WeakMap<AppConfig, TableScope>();

/** The scope of a configuration (one instance per configuration object). */
export function tableScopeOf(config: AppConfig): TableScope {
  let scope = scopes.get(config);
  if (!scope) {
    scope = new TableScope(config.tableScope);
    scopes.set(config, scope);
  }
  return scope;
}

/**
 * A record as tools show it under the scope: a lookup value that points to a record of an out-of-scope table keeps
 * its id but loses its table and name (`{id, outsideScope: true}`).
 */
export function maskRecord(record: Record<string, unknown>, scope: TableScope | undefined): Record<string, unknown> {
  if (!scope?.active) return record;
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(record)) {
    const l = value as { id?: unknown; table?: unknown } | null;
    if (!l || typeof l !== 'object' || typeof l.id !== 'string' || typeof l.table !== 'string' || scope.allows(l.table)) continue;
    out ??= { ...record };
    out[key] = { id: l.id, outsideScope: true };
  }
  return out ?? record;
}
