/**
 * Compact table schema for the model. Goal: ≤ 75 characters of output per field on average, choice
 * labels and lookup targets included. Defaults are left out (writable on create and update, not
 * required, label equal to the name), choices are `"value=Label"` strings, and lookups name the exact
 * `@odata.bind` navigation property per target table while the targets' entity set names are listed once.
 */

import type { TableRelationship } from './table-relationships';

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
  /** Choice values, `|`-separated: `"1=Preferred Customer|2=Standard"`; status reasons add their state: `"2=Inactive (state 1)"`. */
  options?: string;
  /** Lookup targets: table → navigation property for `"<nav>@odata.bind": "/<entitySet>(<id>)"`. */
  to?: Record<string, string>;
  /** The lookup can also point to tables outside this server's table scope (left out of `to`). */
  outsideScope?: true;
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
  /** N:N and 1:N relationships to link records through (absent from a schema cached by an earlier version). */
  relationships?: TableRelationship[];
  /** `fields` already rendered as JSON (all, and without the read-only ones), cached with the schema. */
  fieldsJson?: { all: string; writable: string };
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
  return (
    label?.UserLocalizedLabel?.Label ||
    label?.LocalizedLabels?.find((l) => l.LanguageCode === 1033)?.Label ||
    label?.LocalizedLabels?.[0]?.Label ||
    undefined
  );
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

const STOP_WORDS = new Set(['of', 'the', 'a', 'an', 'and', 'or', 'to', 'for', 'on', 'in', 'by', 'is', 'id']);

/**
 * A label that only restates the logical name is left out: every word of it (stop words aside) already
 * appears in the name ("Address 1: State/Province" for address1_stateorprovince, "Preferred Method of
 * Contact" for preferredcontactmethodcode). "Relationship Type" for customertypecode stays.
 */
function sameWords(label: string, name: string): boolean {
  const n = norm(name);
  const words = label
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP_WORDS.has(w));
  return words.length > 0 && words.every((w) => n.includes(w));
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
    const isKey = name === primaryId;
    const label = labelText(a.DisplayName);
    // The primary key's label is the table's own name.
    if (label && !isKey && !sameWords(label, name)) f.label = label;
    const create = a.IsValidForCreate !== false;
    const update = a.IsValidForUpdate !== false;
    // "required" tells the model what to supply on create: not the generated key, not ownerid
    // (defaults to the caller), not fields that cannot be set on create at all (statecode).
    const level = a.RequiredLevel?.Value;
    if (create && !isKey && name !== 'ownerid') {
      if (level === 'SystemRequired' || level === 'ApplicationRequired') f.required = 'yes';
      else if (level === 'Recommended') f.required = 'recommended';
    }
    if (!create && !update) f.readOnly = true;
    else if (!update) f.createOnly = true;
    else if (!create) f.updateOnly = true;
    // Text fields carry their maximum length in the type: `string(100)`.
    const max = p.maxLengths.get(name);
    if (max !== undefined && (f.type === 'string' || f.type === 'memo')) f.type = `${f.type}(${max})`;
    const options = p.options.get(name);
    if (options?.length) {
      f.options = options
        .map(
          (o) => `${o.Value}=${(labelText(o.Label) ?? '').replace(/\|/g, '/')}${typeof o.State === 'number' ? ` (state ${o.State})` : ''}`,
        )
        .join('|');
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
  return `Write attendees/recipients as "${logicalName}_activity_parties" or as "parties" in create_record (see the get_table_schema description).`;
}
