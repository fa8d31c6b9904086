import { randomUUID } from 'node:crypto';
import { iso } from '../data/iso-time';
import { EntityModel, Model, isLookup, nameGuid } from '../metadata/registry';
import { LOOKUP_TYPE, Rec, Store } from '../store';

/** Emulator switches for auditing (EmulatorOptions.audit, handle.audit.set, PUT /_emulator/audit). */
export interface AuditSettings {
  /** Environment-wide auditing (`organization.isauditenabled`); default true. */
  enabled?: boolean;
  /** Tables whose auditing is off (`EntityDefinitions.IsAuditEnabled` false). */
  disabledTables?: string[];
  /** Privileges the caller lacks: `prvReadRecordAuditHistory` (RetrieveRecordChangeHistory), `prvReadAuditSummary` (audits). */
  deniedPrivileges?: string[];
}

/** `audit.action` / `audit.operation` values used here. */
export const AUDIT_ACTIONS = { create: 1, update: 2, delete: 3 } as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS];

export interface AuditEntry {
  auditid: string;
  createdon: string;
  userid: string;
  objectid: string;
  objecttypecode: string;
  action: AuditAction;
  /** Changed properties in Web API shape (lookups as `_x_value` with their target table beside them). */
  oldValue: Rec;
  newValue: Rec;
  seq: number;
}

/** Tables that are not audited at all (system plumbing). */
const NOT_AUDITED = new Set(['activityparty', 'usersettings', 'timezonedefinition', 'transactioncurrency', 'businessunit', 'team']);
/** Properties the platform maintains itself; their changes are not listed in the history. */
const SYSTEM_PROPS = new Set([
  'versionnumber',
  'createdon',
  'modifiedon',
  'documentbody',
  'filesize',
  'isdocument',
  'exchangerate',
  '_createdby_value',
  '_modifiedby_value',
  '_createdonbehalfby_value',
  '_modifiedonbehalfby_value',
  '_owninguser_value',
  '_owningteam_value',
  '_owningbusinessunit_value',
]);

/** The emulator's audit log: one entry per audited create, update and delete. In memory only (not in the data file). */
export class AuditTrail {
  readonly entries: AuditEntry[] = [];
  private settings: Required<AuditSettings> = { enabled: true, disabledTables: [], deniedPrivileges: [] };
  private seq = 0;

  constructor(
    private readonly model: Model,
    settings: AuditSettings = {},
  ) {
    this.set(settings);
  }

  set(s: AuditSettings): void {
    this.settings = {
      enabled: s.enabled ?? this.settings.enabled,
      disabledTables: s.disabledTables ?? this.settings.disabledTables,
      deniedPrivileges: s.deniedPrivileges ?? this.settings.deniedPrivileges,
    };
  }

  get environmentEnabled(): boolean {
    return this.settings.enabled;
  }

  /** The table's own switch (`IsAuditEnabled`), independent of the environment switch. */
  tableEnabled(table: string): boolean {
    return !NOT_AUDITED.has(table) && !this.settings.disabledTables.includes(table);
  }

  denies(privilege: string): boolean {
    return this.settings.deniedPrivileges.includes(privilege);
  }

  /** Records the difference between a record before and after a write (undefined = did not exist). */
  record(em: EntityModel, userId: string, before: Rec | undefined, after: Rec | undefined, at = Date.now()): void {
    const table = em.def.logicalName;
    if (!this.settings.enabled || !this.tableEnabled(table) || (!before && !after)) return;
    const action: AuditAction = !before ? AUDIT_ACTIONS.create : !after ? AUDIT_ACTIONS.delete : AUDIT_ACTIONS.update;
    const oldValue: Rec = {};
    const newValue: Rec = {};
    if (action !== AUDIT_ACTIONS.delete) {
      for (const prop of em.propNames) {
        const a = em.props.get(prop)!;
        if (SYSTEM_PROPS.has(prop) || a.isPrimaryId || prop.endsWith('_base')) continue;
        const was = before?.[prop] ?? null;
        const now = after?.[prop] ?? null;
        const wasType = before?.[prop + LOOKUP_TYPE];
        const nowType = after?.[prop + LOOKUP_TYPE];
        if (was === now && (!isLookup(a) || wasType === nowType)) continue;
        if (before) copy(oldValue, before, prop);
        if (now !== null) copy(newValue, after!, prop);
      }
      if (action === AUDIT_ACTIONS.update && !Object.keys(newValue).length && !Object.keys(oldValue).length) return;
    }
    const id = String((after ?? before)![em.def.primaryIdAttribute]);
    this.push({
      auditid: randomUUID(),
      createdon: iso(at),
      userid: userId,
      objectid: id,
      objecttypecode: table,
      action,
      oldValue,
      newValue,
    });
  }

  /** Entries about one record, newest first. */
  forRecord(id: string): AuditEntry[] {
    const key = id.toLowerCase();
    return this.entries
      .filter((e) => e.objectid === key)
      .sort((x, y) => (x.createdon < y.createdon ? 1 : x.createdon > y.createdon ? -1 : y.seq - x.seq));
  }

  /**
   * Sample history for "Contoso Ltd": created by the sandbox user, later two updates by a colleague
   * (main phone, then industry and relationship type), each ending in the record's current values.
   */
  seed(store: Store, sandboxUserId: string): void {
    const em = this.model.entities.get('account')!;
    const acc = [...store.table('account').values()].find((a) => a.name === 'Contoso Ltd');
    if (!acc) return;
    const colleague =
      [...store.table('systemuser').keys()].sort().find((u) => u !== sandboxUserId && store.get('systemuser', u)?.fullname) ??
      sandboxUserId;
    const created = Date.parse(String(acc.createdon ?? '2025-01-06T09:00:00Z'));
    const day = 86400000;
    const v1: Rec = {
      ...acc,
      telephone1: '+1 425 555 0100',
      industrycode: acc.industrycode === 7 ? 6 : 7,
      customertypecode: acc.customertypecode === 8 ? 3 : 8,
    };
    const v2: Rec = { ...v1, telephone1: acc.telephone1 ?? null };
    this.record(em, sandboxUserId, undefined, v1, created);
    this.record(em, colleague, v1, v2, created + 3 * day);
    this.record(em, colleague, v2, acc, created + 10 * day);
    for (const e of this.entries) e.auditid = nameGuid(`sandbox:audit:${e.seq}`);
  }

  private push(e: Omit<AuditEntry, 'seq'>): void {
    this.entries.push({ ...e, seq: ++this.seq });
    if (this.entries.length > 100_000) this.entries.splice(0, 50_000);
  }
}

function copy(out: Rec, rec: Rec, prop: string): void {
  out[prop] = rec[prop] ?? null;
  const type = rec[prop + LOOKUP_TYPE];
  if (type !== undefined) out[prop + LOOKUP_TYPE] = type;
}
