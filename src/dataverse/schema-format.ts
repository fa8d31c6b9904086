/**
 * Compact table schema for the model. Goal: ≤ 75 characters of output per field on average, choice
 * labels and lookup targets included. Defaults are left out (writable on create and update, not
 * required, label equal to the name), choices are `"value=Label"` strings, and lookups name the exact
 * `@odata.bind` navigation property per target table while the targets' entity set names are listed once.
 */

/** One field as the model sees it. */
export interface SchemaField {
  name: string;
  type: string;
  /** Display name, only when it says more than the logical name. */
  label?: string;
  /** `yes` = must be set on create (application/system required); `recommended` = business-recommended. */
  required?: 'yes' | 'recommended';
  /** Settable on create but not on update. */
  createOnly?: true;
  /** Settable on update but not on create. */
  updateOnly?: true;
  /** Neither (shown only with includeReadOnly). */
  readOnly?: true;
  /** Maximum length of text fields. */
  max?: number;
  /** Choice values: `"1=Preferred Customer"`; status reasons add their state: `"2=Inactive (state 1)"`. */
  options?: string[];
  /** Lookup targets: table → navigation property for `"<nav>@odata.bind": "/<entitySet>(<id>)"`. */
  to?: Record<string, string>;
}

export interface TableSchema {
  logicalName: string;
  entitySetName: string;
  displayName?: string;
  primaryIdAttribute: string;
  primaryNameAttribute?: string;
  isActivity: boolean;
  fields: SchemaField[];
  /** Entity set name of every lookup target table (for bind paths). */
  entitySets: Record<string, string>;
}

/** Raw attribute metadata as returned by `EntityDefinitions(...)/Attributes?$select=...`. */
export interface RawAttribute {
  LogicalName: string;
  AttributeType?: string;
  AttributeTypeName?: { Value?: string } | null;
  RequiredLevel?: { Value?: string } | null;
  IsValidForCreate?: boolean;
  IsValidForUpdate?: boolean;
  IsValidForRead?: boolean;
  AttributeOf?: string | null;
  IsPrimaryId?: boolean;
  IsPrimaryName?: boolean;
  DisplayName?: LabelSet | null;
}

export interface LabelSet {
  UserLocalizedLabel?: { Label?: string } | null;
  LocalizedLabels?: Array<{ Label?: string; LanguageCode?: number }>;
}

export interface RawOption {
  Value: number;
  Label?: LabelSet | null;
  State?: number;
}

export function labelText(label: LabelSet | null | undefined): string | undefined {
  return label?.UserLocalizedLabel?.Label || label?.LocalizedLabels?.find((l) => l.LanguageCode === 1033)?.Label || label?.LocalizedLabels?.[0]?.Label || undefined;
}

const TYPE_NAMES: Record<string, string> = {
  StringType: 'string',
  MemoType: 'memo',
  IntegerType: 'int',
  BigIntType: 'bigint',
  DecimalType: 'decimal',
  DoubleType: 'float',
  MoneyType: 'money',
  BooleanType: 'bool',
  DateTimeType: 'datetime',
  PicklistType: 'choice',
  MultiSelectPicklistType: 'choices',
  StateType: 'state',
  StatusType: 'status',
  LookupType: 'lookup',
  CustomerType: 'customer',
  OwnerType: 'owner',
  PartyListType: 'partylist',
  UniqueidentifierType: 'guid',
  EntityNameType: 'table',
  ImageType: 'image',
  FileType: 'file',
  VirtualType: 'virtual',
};

export function fieldType(a: RawAttribute, dateOnly: boolean): string {
  const typeName = a.AttributeTypeName?.Value ?? `${a.AttributeType ?? 'Unknown'}Type`;
  const t = TYPE_NAMES[typeName] ?? typeName.replace(/Type$/, '').toLowerCase();
  return t === 'datetime' && dateOnly ? 'date' : t;
}

/** Attributes that are not Web API properties of their own (name/yomi companions, virtual helpers). */
export function isShownAttribute(a: RawAttribute): boolean {
  if (a.AttributeOf) return false;
  const typeName = a.AttributeTypeName?.Value;
  if (typeName === 'VirtualType' || typeName === 'EntityNameType') return false;
  if (a.IsValidForRead === false && !a.IsValidForCreate && !a.IsValidForUpdate) return false;
  return true;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A label that only restates the logical name ("Address 1: Country/Region" for address1_country) is left out. */
function sameWords(label: string, name: string): boolean {
  const l = norm(label);
  const n = norm(name);
  return l === n || (n.length >= 4 && l.includes(n)) || (l.length >= 4 && n.includes(l));
}

export interface SchemaParts {
  attributes: RawAttribute[];
  maxLengths: Map<string, number>;
  options: Map<string, RawOption[]>;
  dateOnly: Set<string>;
  /** attribute → target tables */
  targets: Map<string, string[]>;
  /** attribute → (referenced table → navigation property) */
  navigation: Map<string, Map<string, string>>;
}

export function buildFields(p: SchemaParts, primaryId: string, primaryName?: string): SchemaField[] {
  const fields: SchemaField[] = [];
  for (const a of p.attributes) {
    if (!isShownAttribute(a)) continue;
    const name = a.LogicalName;
    const f: SchemaField = { name, type: fieldType(a, p.dateOnly.has(name)) };
    const label = labelText(a.DisplayName);
    if (label && !sameWords(label, name)) f.label = label;
    const level = a.RequiredLevel?.Value;
    if (level === 'SystemRequired' || level === 'ApplicationRequired') f.required = 'yes';
    else if (level === 'Recommended') f.required = 'recommended';
    const create = a.IsValidForCreate !== false;
    const update = a.IsValidForUpdate !== false;
    if (!create && !update) f.readOnly = true;
    else if (!update) f.createOnly = true;
    else if (!create) f.updateOnly = true;
    const max = p.maxLengths.get(name);
    if (max !== undefined && (f.type === 'string' || f.type === 'memo')) f.max = max;
    const options = p.options.get(name);
    if (options?.length) {
      f.options = options.map((o) => `${o.Value}=${labelText(o.Label) ?? ''}${typeof o.State === 'number' ? ` (state ${o.State})` : ''}`);
    }
    const targets = p.targets.get(name);
    if (targets?.length) {
      const navs = p.navigation.get(name);
      const to: Record<string, string> = {};
      for (const t of targets) {
        // Owner lookups reference the `owner` table in their relationship but bind to systemusers/teams.
        const nav = navs?.get(t) ?? (navs && navs.size === 1 ? [...navs.values()][0] : undefined) ?? name;
        to[t] = nav;
      }
      f.to = to;
    }
    fields.push(f);
  }
  const rank = (f: SchemaField) => (f.name === primaryId ? 0 : f.name === primaryName ? 1 : 2);
  return fields.sort((x, y) => rank(x) - rank(y) || x.name.localeCompare(y.name));
}

/** Activity tables: how to write attendees/recipients (activity parties). */
export function activityPartiesNote(logicalName: string): string {
  return (
    `Attendees, senders and recipients are activity parties: set "${logicalName}_activity_parties": ` +
    '[{"partyid_systemuser@odata.bind": "/systemusers(<id>)", "participationtypemask": 7}, ...] ' +
    '(partyid_contact → /contacts, partyid_account → /accounts, partyid_lead → /leads). ' +
    'participationtypemask: 1=from, 2=to, 3=cc, 4=bcc, 5=required attendee, 6=optional attendee, 7=organizer, ' +
    '8=regarding, 9=owner, 10=resource, 11=customer. create_record also accepts ' +
    '"parties": [{"role": "organizer"|"required"|"optional"|"from"|"to"|"cc"|"bcc", "table": "contact", "id": "<guid>"}].'
  );
}

export const LOOKUP_HOW_TO =
  'Set a lookup as "<nav>@odata.bind": "/<entitySets[table]>(<id>)", where <nav> is the field\'s "to" entry for the target table ' +
  '(case-sensitive); read and filter it as _<field>_value.';
