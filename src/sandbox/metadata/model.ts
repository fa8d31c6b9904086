/** Internal metadata model of the emulator, and compact builders for attribute definitions. */

export type AttrType =
  | 'String'
  | 'Memo'
  | 'Integer'
  | 'BigInt'
  | 'Decimal'
  | 'Double'
  | 'Money'
  | 'Boolean'
  | 'DateTime'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'Lookup'
  | 'Customer'
  | 'Owner'
  | 'Uniqueidentifier'
  | 'EntityName'
  | 'Virtual';

export type RequiredLevel = 'None' | 'Recommended' | 'ApplicationRequired' | 'SystemRequired';
export type CascadeDelete = 'Cascade' | 'RemoveLink' | 'Restrict';

export interface OptionDef {
  value: number;
  label: string;
  /** Status options: the state they belong to. State options: the default status. */
  state?: number;
  defaultStatus?: number;
  invariantName?: string;
}

export interface LookupTarget {
  entity: string;
  /** ReferencingEntityNavigationPropertyName (case-sensitive, used with @odata.bind). */
  nav: string;
  /** Relationship SchemaName, also the ReferencedEntityNavigationPropertyName of the collection side. */
  relationship: string;
  cascadeDelete: CascadeDelete;
  /** ReferencedEntity as reported by the relationship (`owner` for ownerid). */
  referencedEntity?: string;
}

export interface AttrDef {
  logicalName: string;
  schemaName: string;
  type: AttrType;
  label: string;
  description?: string;
  requiredLevel: RequiredLevel;
  validForCreate: boolean;
  validForUpdate: boolean;
  validForRead: boolean;
  isCustom: boolean;
  isPrimaryId?: boolean;
  isPrimaryName?: boolean;
  /** For name/type companions of lookups (e.g. owneridname): not exposed as Web API properties. */
  attributeOf?: string;
  maxLength?: number;
  format?: string;
  minValue?: number;
  maxValue?: number;
  precision?: number;
  dateOnly?: boolean;
  options?: OptionDef[];
  globalOptionSet?: string;
  booleanLabels?: [string, string];
  targets?: LookupTarget[];
}

export interface EntityDef {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  collectionSchemaName: string;
  displayName: string;
  displayCollectionName: string;
  description: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string | null;
  objectTypeCode: number;
  ownershipType: 'UserOwned' | 'OrganizationOwned' | 'BusinessOwned' | 'None';
  isActivity: boolean;
  isActivityParty?: boolean;
  isCustom: boolean;
  isValidForAdvancedFind: boolean;
  /** UserLocalizedLabel of DisplayName is null for some system tables, as on the real service. */
  nullUserLabel?: boolean;
  attributes: AttrDef[];
}

/** Title-cases a logical name segment for SchemaName defaults ("address1_city" -> "Address1_City"). */
export function schemaOf(logicalName: string): string {
  return logicalName
    .split('_')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
    .join('_');
}

type Opts = Partial<Omit<AttrDef, 'logicalName' | 'label'>> & { readOnly?: boolean; required?: RequiredLevel };

function attr(logicalName: string, type: AttrType, label: string, o: Opts = {}): AttrDef {
  const { readOnly, required, ...rest } = o;
  return {
    logicalName,
    schemaName: o.schemaName ?? schemaOf(logicalName),
    type,
    label,
    requiredLevel: required ?? 'None',
    validForCreate: !readOnly,
    validForUpdate: !readOnly,
    validForRead: true,
    isCustom: logicalName.startsWith('cr8a1_'),
    ...rest,
  };
}

/** Parses "1:Label|2:Other" into options. */
export function opts(spec: string): OptionDef[] {
  return spec.split('|').map((p) => {
    const i = p.indexOf(':');
    return { value: Number(p.slice(0, i)), label: p.slice(i + 1) };
  });
}

export const A = {
  id: (n: string, label: string, o: Opts = {}) =>
    attr(n, 'Uniqueidentifier', label, {
      isPrimaryId: true,
      validForUpdate: false,
      required: 'SystemRequired',
      ...o,
      ...(o.readOnly ? { validForCreate: false } : {}),
    }),
  uid: (n: string, label: string, o: Opts = {}) => attr(n, 'Uniqueidentifier', label, o),
  str: (n: string, label: string, maxLength = 100, o: Opts = {}) => attr(n, 'String', label, { maxLength, format: 'Text', ...o }),
  email: (n: string, label: string, o: Opts = {}) => attr(n, 'String', label, { maxLength: 100, format: 'Email', ...o }),
  phone: (n: string, label: string, o: Opts = {}) => attr(n, 'String', label, { maxLength: 50, format: 'Phone', ...o }),
  url: (n: string, label: string, o: Opts = {}) => attr(n, 'String', label, { maxLength: 200, format: 'Url', ...o }),
  memo: (n: string, label: string, maxLength = 2000, o: Opts = {}) => attr(n, 'Memo', label, { maxLength, format: 'TextArea', ...o }),
  int: (n: string, label: string, o: Opts = {}) =>
    attr(n, 'Integer', label, { minValue: -2147483648, maxValue: 2147483647, format: 'None', ...o }),
  bigint: (n: string, label: string, o: Opts = {}) =>
    attr(n, 'BigInt', label, { minValue: Number.MIN_SAFE_INTEGER, maxValue: Number.MAX_SAFE_INTEGER, ...o }),
  dec: (n: string, label: string, o: Opts = {}) =>
    attr(n, 'Decimal', label, { minValue: -100000000000, maxValue: 100000000000, precision: 2, ...o }),
  dbl: (n: string, label: string, o: Opts = {}) => attr(n, 'Double', label, { minValue: -1e9, maxValue: 1e9, precision: 5, ...o }),
  money: (n: string, label: string, o: Opts = {}) =>
    attr(n, 'Money', label, { minValue: -922337203685477, maxValue: 922337203685477, precision: 2, ...o }),
  bool: (n: string, label: string, labels: [string, string] = ['No', 'Yes'], o: Opts = {}) =>
    attr(n, 'Boolean', label, { booleanLabels: labels, ...o }),
  date: (n: string, label: string, o: Opts = {}) => attr(n, 'DateTime', label, { format: 'DateAndTime', ...o }),
  dateOnly: (n: string, label: string, o: Opts = {}) => attr(n, 'DateTime', label, { format: 'DateOnly', dateOnly: true, ...o }),
  choice: (n: string, label: string, options: string | OptionDef[], o: Opts = {}) =>
    attr(n, 'Picklist', label, { options: typeof options === 'string' ? opts(options) : options, ...o }),
  /** states: "0:Active:1|1:Inactive:2" (value:label:defaultStatus). */
  state: (spec: string, o: Opts = {}) =>
    attr('statecode', 'State', 'Status', {
      required: 'SystemRequired',
      description: 'Status of the record.',
      options: spec.split('|').map((p) => {
        const [v, l, d] = p.split(':');
        return { value: Number(v), label: l, defaultStatus: Number(d), invariantName: l.replace(/\s/g, '') };
      }),
      validForCreate: false,
      ...o,
    }),
  /** statuses: "1:Active:0|2:Inactive:1" (value:label:state). */
  status: (spec: string, o: Opts = {}) =>
    attr('statuscode', 'Status', 'Status Reason', {
      description: "Reason for the record's status.",
      options: spec.split('|').map((p) => {
        const [v, l, s] = p.split(':');
        return { value: Number(v), label: l, state: Number(s) };
      }),
      ...o,
    }),
  lookup: (n: string, label: string, targets: LookupTarget[], o: Opts = {}) =>
    attr(n, targets.length > 1 ? 'Customer' : 'Lookup', label, { targets, format: 'None', ...o }),
  /** A name/type companion of a lookup (not a Web API property). */
  companion: (n: string, of: string, type: 'String' | 'EntityName', label: string) =>
    attr(n, type, label, { attributeOf: of, readOnly: true, ...(type === 'String' ? { maxLength: 100, format: 'Text' } : {}) }),
  virtual: (n: string, label: string) => attr(n, 'Virtual', label, { readOnly: true }),
};

/** A lookup target with sensible defaults: nav = attribute name, relationship = `${target}_${entity}_${attr}`. */
export function target(
  entity: string,
  nav: string,
  relationship: string,
  cascadeDelete: CascadeDelete = 'RemoveLink',
  referencedEntity?: string,
): LookupTarget {
  return { entity, nav, relationship, cascadeDelete, referencedEntity };
}

/** A single-target lookup whose navigation property has the attribute's own name. */
export function simpleLookup(
  entity: string,
  n: string,
  label: string,
  to: string,
  relationship: string,
  cascadeDelete: CascadeDelete = 'RemoveLink',
  o: Opts = {},
): AttrDef[] {
  return [A.lookup(n, label, [target(to, n, relationship, cascadeDelete)], o), A.companion(`${n}name`, n, 'String', label)];
}

/** The address1_* / address2_* block (24 attributes), as on account, contact and lead. */
export function addressBlock(prefix: 'address1' | 'address2', n: number): AttrDef[] {
  const l = `Address ${n}`;
  return [
    A.uid(`${prefix}_addressid`, `${l}: ID`),
    A.choice(`${prefix}_addresstypecode`, `${l}: Address Type`, n === 1 ? '1:Bill To|2:Ship To|3:Primary|4:Other' : '1:Default Value'),
    A.str(`${prefix}_city`, `${l}: City`, 80),
    A.memo(`${prefix}_composite`, `${l}`, 1000, { readOnly: true }),
    A.str(`${prefix}_country`, `${l}: Country/Region`, 80),
    A.str(`${prefix}_county`, `${l}: County`, 50),
    A.phone(`${prefix}_fax`, `${l}: Fax`),
    A.choice(`${prefix}_freighttermscode`, `${l}: Freight Terms`, n === 1 ? '1:FOB|2:No Charge' : '1:Default Value'),
    A.dbl(`${prefix}_latitude`, `${l}: Latitude`, { minValue: -90, maxValue: 90 }),
    A.str(`${prefix}_line1`, `${l}: Street 1`, 250),
    A.str(`${prefix}_line2`, `${l}: Street 2`, 250),
    A.str(`${prefix}_line3`, `${l}: Street 3`, 250),
    A.dbl(`${prefix}_longitude`, `${l}: Longitude`, { minValue: -180, maxValue: 180 }),
    A.str(`${prefix}_name`, `${l}: Name`, 200),
    A.str(`${prefix}_postalcode`, `${l}: ZIP/Postal Code`, 20),
    A.str(`${prefix}_postofficebox`, `${l}: Post Office Box`, 20),
    A.str(`${prefix}_primarycontactname`, `${l}: Primary Contact Name`, 100),
    A.choice(
      `${prefix}_shippingmethodcode`,
      `${l}: Shipping Method`,
      n === 1 ? '1:Airborne|2:DHL|3:FedEx|4:UPS|5:Postal Mail|6:Full Load|7:Will Call' : '1:Default Value',
    ),
    A.str(`${prefix}_stateorprovince`, `${l}: State/Province`, 50),
    A.phone(`${prefix}_telephone1`, `${l}: Phone`),
    A.phone(`${prefix}_telephone2`, `${l}: Telephone 2`),
    A.phone(`${prefix}_telephone3`, `${l}: Telephone 3`),
    A.str(`${prefix}_upszone`, `${l}: UPS Zone`, 4),
    A.int(`${prefix}_utcoffset`, `${l}: UTC Offset`, { minValue: -1500, maxValue: 1500, format: 'TimeZone' }),
  ];
}

const SYS_TARGETS = (entity: string, attrName: string, rel: string) => [target('systemuser', attrName, rel, 'Restrict')];

/** createdby/createdon/modifiedby/.../versionnumber and, for user-owned tables, the owner block. */
export function systemBlock(entity: string, base: string, ownership: EntityDef['ownershipType']): AttrDef[] {
  const ro = { readOnly: true };
  const list: AttrDef[] = [
    A.lookup('createdby', 'Created By', SYS_TARGETS(entity, 'createdby', `lk_${base}_createdby`), ro),
    A.companion('createdbyname', 'createdby', 'String', 'Created By'),
    A.date('createdon', 'Created On', ro),
    A.lookup('createdonbehalfby', 'Created By (Delegate)', SYS_TARGETS(entity, 'createdonbehalfby', `lk_${base}_createdonbehalfby`), ro),
    A.lookup('modifiedby', 'Modified By', SYS_TARGETS(entity, 'modifiedby', `lk_${base}_modifiedby`), ro),
    A.companion('modifiedbyname', 'modifiedby', 'String', 'Modified By'),
    A.date('modifiedon', 'Modified On', ro),
    A.lookup(
      'modifiedonbehalfby',
      'Modified By (Delegate)',
      SYS_TARGETS(entity, 'modifiedonbehalfby', `lk_${base}_modifiedonbehalfby`),
      ro,
    ),
    A.bigint('versionnumber', 'Version Number', ro),
    A.int('importsequencenumber', 'Import Sequence Number', { validForUpdate: false }),
    A.date('overriddencreatedon', 'Record Created On', { dateOnly: true, format: 'DateOnly', validForUpdate: false }),
    A.int('timezoneruleversionnumber', 'Time Zone Rule Version Number', { minValue: -1 }),
    A.int('utcconversiontimezonecode', 'UTC Conversion Time Zone Code', { minValue: -1 }),
  ];
  if (ownership === 'UserOwned') {
    list.push(
      A.lookup(
        'ownerid',
        'Owner',
        [
          target('systemuser', 'ownerid', `owner_${entity}s`, 'Restrict', 'owner'),
          target('team', 'ownerid', `owner_${entity}s`, 'Restrict', 'owner'),
        ],
        { schemaName: 'OwnerId', required: 'SystemRequired', type: 'Owner' },
      ),
      A.companion('owneridname', 'ownerid', 'String', 'Owner'),
      A.companion('owneridtype', 'ownerid', 'EntityName', 'Owner Type'),
      A.lookup(
        'owningbusinessunit',
        'Owning Business Unit',
        [target('businessunit', 'owningbusinessunit', `business_unit_${base}`, 'Restrict')],
        ro,
      ),
      A.lookup('owninguser', 'Owning User', [target('systemuser', 'owninguser', `user_${base}`, 'Restrict')], ro),
      A.lookup('owningteam', 'Owning Team', [target('team', 'owningteam', `team_${base}`, 'Restrict')], ro),
    );
  } else if (ownership === 'OrganizationOwned') {
    list.push(A.uid('organizationid', 'Organization', ro));
  }
  return list;
}

/** Currency block for tables with money columns. */
export function currencyBlock(base: string): AttrDef[] {
  return [
    A.lookup('transactioncurrencyid', 'Currency', [
      target('transactioncurrency', 'transactioncurrencyid', `transactioncurrency_${base}`, 'Restrict'),
    ]),
    A.dec('exchangerate', 'Exchange Rate', { readOnly: true, precision: 10, minValue: 0.000000000001, maxValue: 100000000000 }),
  ];
}
