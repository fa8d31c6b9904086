import { AttrDef, EntityDef, OptionDef } from './model';
import { EntityModel, Relationship, nameGuid } from './registry';

/** Metadata JSON in the shapes the Dataverse Web API returns. */

const LANG = 1033;

export function label(text: string | undefined | null, key: string): Record<string, unknown> {
  if (!text) return { LocalizedLabels: [], UserLocalizedLabel: null };
  const l = { Label: text, LanguageCode: LANG, IsManaged: true, MetadataId: nameGuid(`label:${key}`), HasChanged: null };
  return { LocalizedLabels: [l], UserLocalizedLabel: { ...l } };
}

const managed = (value: unknown, name: string) => ({ Value: value, CanBeChanged: true, ManagedPropertyLogicalName: name });

export function entityJson(em: EntityModel): Record<string, unknown> {
  const d: EntityDef = em.def;
  const k = `entity:${d.logicalName}`;
  return {
    MetadataId: em.metadataId,
    HasChanged: null,
    ActivityTypeMask: d.isActivity ? 1 : 0,
    AutoRouteToOwnerQueue: false,
    CanTriggerWorkflow: true,
    EntityHelpUrlEnabled: false,
    EntityHelpUrl: null,
    IsDocumentManagementEnabled: false,
    IsOneNoteIntegrationEnabled: false,
    IsInteractionCentricEnabled: false,
    IsKnowledgeManagementEnabled: false,
    IsSLAEnabled: false,
    IsBPFEntity: false,
    IsDocumentRecommendationsEnabled: false,
    IsMSTeamsIntegrationEnabled: false,
    SettingOf: null,
    DataProviderId: null,
    DataSourceId: null,
    AutoCreateAccessTeams: false,
    IsActivity: d.isActivity,
    IsActivityParty: !!d.isActivityParty || ['account', 'contact', 'lead', 'systemuser'].includes(d.logicalName),
    IsAvailableOffline: true,
    IsChildEntity: d.logicalName === 'activityparty',
    IsAIRUpdated: false,
    IconLargeName: null,
    IconMediumName: null,
    IconSmallName: null,
    IconVectorName: d.isCustom ? 'cr8a1_project_icon.svg' : null,
    IsCustomEntity: d.isCustom,
    IsBusinessProcessEnabled: !d.isCustom && ['account', 'contact', 'lead', 'opportunity'].includes(d.logicalName),
    SyncToExternalSearchIndex: ['account', 'contact', 'lead', 'opportunity'].includes(d.logicalName),
    IsOptimisticConcurrencyEnabled: true,
    ChangeTrackingEnabled: true,
    IsImportable: d.ownershipType !== 'None',
    IsIntersect: false,
    IsManaged: !d.isCustom,
    IsEnabledForCharts: true,
    IsEnabledForTrace: false,
    IsValidForAdvancedFind: d.isValidForAdvancedFind,
    DaysSinceRecordLastModified: 0,
    IsReadingPaneEnabled: true,
    IsQuickCreateEnabled: ['account', 'contact', 'lead', 'opportunity', 'cr8a1_project'].includes(d.logicalName) || d.isActivity,
    LogicalName: d.logicalName,
    ObjectTypeCode: d.objectTypeCode,
    OwnershipType: d.ownershipType,
    PrimaryNameAttribute: d.primaryNameAttribute,
    PrimaryImageAttribute: ['account', 'contact', 'lead', 'systemuser'].includes(d.logicalName) ? 'entityimage' : null,
    PrimaryIdAttribute: d.primaryIdAttribute,
    RecurrenceBaseEntityLogicalName: null,
    ReportViewName: `Filtered${d.schemaName}`,
    SchemaName: d.schemaName,
    IntroducedVersion: d.isCustom ? '1.0.0.0' : '5.0.0.0',
    IsStateModelAware: em.attrs.has('statecode'),
    EnforceStateTransitions: false,
    ExternalName: null,
    EntityColor: d.isCustom ? '#2B579A' : null,
    LogicalCollectionName:
      d.entitySetName === 'usersettingscollection'
        ? 'usersettingscollection'
        : `${d.logicalName === 'opportunity' ? 'opportunities' : d.entitySetName}`,
    ExternalCollectionName: null,
    CollectionSchemaName: d.collectionSchemaName,
    EntitySetName: d.entitySetName,
    IsEnabledForExternalChannels: false,
    IsPrivate: false,
    UsesBusinessDataLabelTable: false,
    IsLogicalEntity: d.isActivity ? false : d.logicalName === 'activityparty',
    HasNotes: !['activityparty', 'usersettings', 'timezonedefinition', 'transactioncurrency', 'businessunit'].includes(d.logicalName),
    HasActivities: ['account', 'contact', 'lead', 'opportunity', 'cr8a1_project'].includes(d.logicalName),
    HasFeedback: false,
    IsSolutionAware: true,
    CreatedOn: d.isCustom ? '2024-03-11T09:12:44Z' : '1900-01-01T00:00:00Z',
    ModifiedOn: '2025-01-20T16:03:11Z',
    HasEmailAddresses: em.attrs.has('emailaddress1'),
    OwnerId: null,
    OwnerIdType: 8,
    OwningBusinessUnit: null,
    TableType: 'Standard',
    Description: label(d.nullUserLabel ? '' : d.description, `${k}:desc`),
    DisplayCollectionName: label(d.displayCollectionName, `${k}:coll`),
    DisplayName: label(d.displayName, `${k}:name`),
    IsAuditEnabled: managed(false, 'canmodifyauditsettings'),
    IsValidForQueue: managed(d.isActivity, 'canmodifyqueuesettings'),
    IsConnectionsEnabled: managed(!d.isActivity && d.ownershipType === 'UserOwned', 'canmodifyconnectionsettings'),
    IsCustomizable: managed(true, 'iscustomizable'),
    IsRenameable: managed(true, 'isrenameable'),
    IsMappable: managed(true, 'ismappable'),
    IsDuplicateDetectionEnabled: managed(['account', 'contact', 'lead'].includes(d.logicalName), 'canmodifyduplicatedetectionsettings'),
    CanCreateAttributes: managed(true, 'cancreateattributes'),
    CanCreateForms: managed(true, 'cancreateforms'),
    CanCreateViews: managed(true, 'cancreateviews'),
    CanCreateCharts: managed(true, 'cancreatecharts'),
    CanBeRelatedEntityInRelationship: managed(true, 'canberelatedentityinrelationship'),
    CanBePrimaryEntityInRelationship: managed(true, 'canbeprimaryentityinrelationship'),
    CanModifyAdditionalSettings: managed(true, 'canmodifyadditionalsettings'),
    Privileges: ['Create', 'Read', 'Write', 'Delete', 'Assign', 'Share', 'Append', 'AppendTo'].map((p) => ({
      CanBeBasic: true,
      CanBeDeep: true,
      CanBeGlobal: true,
      CanBeLocal: true,
      CanBeEntityReference: false,
      CanBeParentEntityReference: false,
      CanBeRecordFilter: false,
      Name: `prv${p}${d.schemaName}`,
      PrivilegeId: nameGuid(`priv:${p}:${d.logicalName}`),
      PrivilegeType: p,
    })),
  };
}

const TYPE_NAMES: Record<string, [string, string]> = {
  String: ['StringAttributeMetadata', 'StringType'],
  Memo: ['MemoAttributeMetadata', 'MemoType'],
  Integer: ['IntegerAttributeMetadata', 'IntegerType'],
  BigInt: ['BigIntAttributeMetadata', 'BigIntType'],
  Decimal: ['DecimalAttributeMetadata', 'DecimalType'],
  Double: ['DoubleAttributeMetadata', 'DoubleType'],
  Money: ['MoneyAttributeMetadata', 'MoneyType'],
  Boolean: ['BooleanAttributeMetadata', 'BooleanType'],
  DateTime: ['DateTimeAttributeMetadata', 'DateTimeType'],
  Picklist: ['PicklistAttributeMetadata', 'PicklistType'],
  State: ['StateAttributeMetadata', 'StateType'],
  Status: ['StatusAttributeMetadata', 'StatusType'],
  Lookup: ['LookupAttributeMetadata', 'LookupType'],
  Customer: ['LookupAttributeMetadata', 'CustomerType'],
  Owner: ['LookupAttributeMetadata', 'OwnerType'],
  Uniqueidentifier: ['UniqueIdentifierAttributeMetadata', 'UniqueidentifierType'],
  EntityName: ['EntityNameAttributeMetadata', 'EntityNameType'],
  Virtual: ['AttributeMetadata', 'VirtualType'],
};

/** The metadata type name (`PicklistAttributeMetadata`) of an attribute. */
export function attributeTypeName(a: AttrDef): string {
  return TYPE_NAMES[a.type][0];
}

/** Properties declared by each cast type, beyond the base AttributeMetadata properties. */
export const CAST_PROPERTIES: Record<string, string[]> = {
  StringAttributeMetadata: [
    'Format',
    'FormatName',
    'MaxLength',
    'YomiOf',
    'IsLocalizable',
    'DatabaseLength',
    'FormulaDefinition',
    'SourceTypeMask',
    'ImeMode',
  ],
  MemoAttributeMetadata: ['Format', 'FormatName', 'MaxLength', 'IsLocalizable', 'DatabaseLength', 'ImeMode'],
  IntegerAttributeMetadata: ['Format', 'MaxValue', 'MinValue', 'FormulaDefinition', 'SourceTypeMask'],
  BigIntAttributeMetadata: ['MaxValue', 'MinValue'],
  DecimalAttributeMetadata: ['MaxValue', 'MinValue', 'Precision', 'ImeMode', 'FormulaDefinition', 'SourceTypeMask'],
  DoubleAttributeMetadata: ['MaxValue', 'MinValue', 'Precision', 'ImeMode', 'FormulaDefinition', 'SourceTypeMask'],
  MoneyAttributeMetadata: [
    'MaxValue',
    'MinValue',
    'Precision',
    'PrecisionSource',
    'IsBaseCurrency',
    'CalculationOf',
    'ImeMode',
    'FormulaDefinition',
    'SourceTypeMask',
  ],
  BooleanAttributeMetadata: ['DefaultValue', 'FormulaDefinition', 'SourceTypeMask'],
  DateTimeAttributeMetadata: [
    'Format',
    'DateTimeBehavior',
    'CanChangeDateTimeBehavior',
    'MinSupportedValue',
    'MaxSupportedValue',
    'ImeMode',
    'FormulaDefinition',
    'SourceTypeMask',
  ],
  PicklistAttributeMetadata: [
    'DefaultFormValue',
    'FormulaDefinition',
    'SourceTypeMask',
    'ParentPicklistLogicalName',
    'ChildPicklistLogicalNames',
  ],
  StateAttributeMetadata: ['DefaultFormValue'],
  StatusAttributeMetadata: ['DefaultFormValue'],
  LookupAttributeMetadata: ['Targets', 'Format'],
  UniqueIdentifierAttributeMetadata: [],
  EntityNameAttributeMetadata: ['DefaultFormValue', 'IsEntityReferenceStored'],
  MultiSelectPicklistAttributeMetadata: [
    'DefaultFormValue',
    'FormulaDefinition',
    'SourceTypeMask',
    'ParentPicklistLogicalName',
    'ChildPicklistLogicalNames',
  ],
};

/** Navigation properties per cast type (expandable). */
export const CAST_NAVIGATION: Record<string, string[]> = {
  PicklistAttributeMetadata: ['OptionSet', 'GlobalOptionSet'],
  MultiSelectPicklistAttributeMetadata: ['OptionSet', 'GlobalOptionSet'],
  StateAttributeMetadata: ['OptionSet', 'GlobalOptionSet'],
  StatusAttributeMetadata: ['OptionSet', 'GlobalOptionSet'],
  BooleanAttributeMetadata: ['OptionSet', 'GlobalOptionSet'],
  EntityNameAttributeMetadata: ['OptionSet', 'GlobalOptionSet'],
};

function typeSpecific(a: AttrDef): Record<string, unknown> {
  const t = attributeTypeName(a);
  switch (t) {
    case 'StringAttributeMetadata':
    case 'MemoAttributeMetadata':
      return {
        Format: a.format ?? 'Text',
        FormatName: { Value: a.format ?? 'Text' },
        MaxLength: a.maxLength ?? 100,
        ImeMode: 'Auto',
        ...(t === 'StringAttributeMetadata' ? { YomiOf: null, FormulaDefinition: null, SourceTypeMask: 0 } : {}),
        IsLocalizable: false,
        DatabaseLength: (a.maxLength ?? 100) * 2,
      };
    case 'IntegerAttributeMetadata':
      return { Format: a.format ?? 'None', MaxValue: a.maxValue, MinValue: a.minValue, FormulaDefinition: null, SourceTypeMask: 0 };
    case 'BigIntAttributeMetadata':
      return { MaxValue: a.maxValue, MinValue: a.minValue };
    case 'DecimalAttributeMetadata':
    case 'DoubleAttributeMetadata':
      return {
        MaxValue: a.maxValue,
        MinValue: a.minValue,
        Precision: a.precision,
        ImeMode: 'Auto',
        FormulaDefinition: null,
        SourceTypeMask: 0,
      };
    case 'MoneyAttributeMetadata':
      return {
        MaxValue: a.maxValue,
        MinValue: a.minValue,
        Precision: a.precision,
        PrecisionSource: 2,
        IsBaseCurrency: a.logicalName.endsWith('_base'),
        CalculationOf: a.logicalName.endsWith('_base') ? a.logicalName.slice(0, -5) : null,
        ImeMode: 'Auto',
        FormulaDefinition: null,
        SourceTypeMask: 0,
      };
    case 'BooleanAttributeMetadata':
      return { DefaultValue: false, FormulaDefinition: null, SourceTypeMask: 0 };
    case 'DateTimeAttributeMetadata':
      return {
        Format: a.dateOnly ? 'DateOnly' : 'DateAndTime',
        ImeMode: 'Auto',
        FormulaDefinition: null,
        SourceTypeMask: 0,
        MinSupportedValue: '1753-01-01T00:00:00Z',
        MaxSupportedValue: '9999-12-30T23:59:59Z',
        DateTimeBehavior: { Value: a.dateOnly ? 'DateOnly' : 'UserLocal' },
        CanChangeDateTimeBehavior: managed(!a.dateOnly, 'canchangedatetimebehavior'),
      };
    case 'PicklistAttributeMetadata':
      return {
        DefaultFormValue: -1,
        FormulaDefinition: null,
        SourceTypeMask: 0,
        ParentPicklistLogicalName: null,
        ChildPicklistLogicalNames: [],
      };
    case 'StateAttributeMetadata':
    case 'StatusAttributeMetadata':
      return { DefaultFormValue: a.type === 'Status' ? (a.options?.[0]?.value ?? -1) : -1 };
    case 'LookupAttributeMetadata':
      return { Targets: (a.targets ?? []).map((x) => x.entity), Format: 'None' };
    case 'EntityNameAttributeMetadata':
      return { DefaultFormValue: null, IsEntityReferenceStored: a.logicalName === 'activitytypecode' };
    default:
      return {};
  }
}

export function attributeJson(a: AttrDef, em: EntityModel, index: number): Record<string, unknown> {
  const t = attributeTypeName(a);
  const k = `attr:${em.def.logicalName}.${a.logicalName}`;
  const companion = !!a.attributeOf;
  return {
    '@odata.type': `#Microsoft.Dynamics.CRM.${t}`,
    ...typeSpecific(a),
    MetadataId: nameGuid(k),
    HasChanged: null,
    AttributeOf: a.attributeOf ?? null,
    AttributeType: a.type,
    ColumnNumber: index + 1,
    DeprecatedVersion: null,
    IntroducedVersion: a.isCustom ? '1.0.0.0' : '5.0.0.0',
    EntityLogicalName: em.def.logicalName,
    IsCustomAttribute: a.isCustom,
    IsPrimaryId: !!a.isPrimaryId,
    IsValidODataAttribute: !companion,
    IsPrimaryName: !!a.isPrimaryName,
    IsValidForCreate: a.validForCreate,
    IsValidForRead: a.validForRead,
    IsValidForUpdate: a.validForUpdate,
    CanBeSecuredForRead: !a.isPrimaryId,
    CanBeSecuredForCreate: !a.isPrimaryId,
    CanBeSecuredForUpdate: !a.isPrimaryId,
    IsSecured: false,
    IsRetrievable: !companion,
    IsFilterable: !companion,
    IsSearchable: !companion && a.type !== 'Memo',
    IsManaged: !a.isCustom,
    LinkedAttributeId: null,
    LogicalName: a.logicalName,
    IsValidForForm: !companion,
    IsRequiredForForm: a.requiredLevel === 'SystemRequired' && !a.isPrimaryId,
    IsValidForGrid: !companion,
    SchemaName: a.schemaName,
    ExternalName: null,
    IsLogical: companion || a.type === 'Virtual',
    IsDataSourceSecret: false,
    InheritsFrom: null,
    CreatedOn: a.isCustom ? '2024-03-11T09:12:44Z' : '1900-01-01T00:00:00Z',
    ModifiedOn: '2025-01-20T16:03:11Z',
    SourceType: 0,
    AutoNumberFormat: null,
    Settings: [],
    AttributeTypeName: { Value: TYPE_NAMES[a.type][1] },
    Description: label(a.description, `${k}:desc`),
    DisplayName: label(companion ? '' : a.label, `${k}:name`),
    IsAuditEnabled: managed(!companion, 'canmodifyauditsettings'),
    IsGlobalFilterEnabled: managed(false, 'canmodifyglobalfiltersettings'),
    IsSortableEnabled: managed(false, 'canmodifyissortablesettings'),
    IsCustomizable: managed(true, 'iscustomizable'),
    IsRenameable: managed(true, 'isrenameable'),
    IsValidForAdvancedFind: managed(!companion, 'canmodifysearchsettings'),
    RequiredLevel: managed(a.requiredLevel, 'canmodifyrequirementlevelsettings'),
    CanModifyAdditionalSettings: managed(true, 'canmodifyadditionalsettings'),
  };
}

function optionJson(o: OptionDef, a: AttrDef, key: string): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if (a.type === 'State') base['@odata.type'] = '#Microsoft.Dynamics.CRM.StateOptionMetadata';
  if (a.type === 'Status') base['@odata.type'] = '#Microsoft.Dynamics.CRM.StatusOptionMetadata';
  return {
    ...base,
    Value: o.value,
    Color: null,
    IsManaged: !a.isCustom,
    ExternalValue: null,
    ParentValues: [],
    Tag: null,
    IsHidden: false,
    MetadataId: null,
    HasChanged: null,
    ...(a.type === 'State' ? { InvariantName: o.invariantName, DefaultStatus: o.defaultStatus } : {}),
    ...(a.type === 'Status' ? { State: o.state, TransitionData: null } : {}),
    Label: label(o.label, `${key}:opt:${o.value}`),
    Description: label('', `${key}:optdesc:${o.value}`),
  };
}

/** The expanded OptionSet of a choice/state/status/boolean attribute. */
export function optionSetJson(a: AttrDef, em: EntityModel): Record<string, unknown> {
  const key = `attr:${em.def.logicalName}.${a.logicalName}`;
  const base = {
    MetadataId: nameGuid(`${key}:optionset`),
    HasChanged: null,
    IsCustomOptionSet: a.isCustom,
    IsGlobal: !!a.globalOptionSet,
    IsManaged: !a.isCustom,
    Name: a.globalOptionSet ?? `${em.def.logicalName}_${a.logicalName}`,
    ExternalTypeName: null,
    OptionSetType: a.type === 'Boolean' ? 'Boolean' : a.type === 'State' ? 'State' : a.type === 'Status' ? 'Status' : 'Picklist',
    IntroducedVersion: '5.0.0.0',
    ParentOptionSetName: null,
    Description: label('', `${key}:osdesc`),
    DisplayName: label(a.label, `${key}:osname`),
    IsCustomizable: managed(true, 'iscustomizable'),
  };
  if (a.type === 'Boolean') {
    const [f, t] = a.booleanLabels ?? ['No', 'Yes'];
    return {
      ...base,
      TrueOption: optionJson({ value: 1, label: t }, a, key),
      FalseOption: optionJson({ value: 0, label: f }, a, key),
    };
  }
  return { ...base, Options: (a.options ?? []).map((o) => optionJson(o, a, key)) };
}

export function oneToManyJson(r: Relationship): Record<string, unknown> {
  return {
    MetadataId: r.metadataId,
    HasChanged: null,
    IsCustomRelationship: r.isCustom,
    IsValidForAdvancedFind: true,
    SchemaName: r.schemaName,
    SecurityTypes: r.cascadeDelete === 'Cascade' ? 'ParentChild' : 'Append',
    IsManaged: !r.isCustom,
    RelationshipType: 'OneToManyRelationship',
    IntroducedVersion: r.isCustom ? '1.0.0.0' : '5.0.0.0',
    ReferencedAttribute: r.referencedAttribute,
    ReferencedEntity: r.referencedEntity,
    ReferencingAttribute: r.referencingAttribute,
    ReferencingEntity: r.referencingEntity,
    IsHierarchical: r.referencedEntity === r.referencingEntity && r.referencingAttribute.startsWith('parent'),
    EntityKey: null,
    IsRelationshipAttributeDenormalized: false,
    ReferencedEntityNavigationPropertyName: r.referencedNav,
    ReferencingEntityNavigationPropertyName: r.referencingNav,
    RelationshipBehavior: r.cascadeDelete === 'Cascade' ? 1 : 0,
    IsDenormalizedLookup: null,
    DenormalizedAttributeName: null,
    IsCustomizable: managed(true, 'iscustomizable'),
    AssociatedMenuConfiguration: {
      Behavior: 'UseCollectionName',
      Group: 'Details',
      Order: 10000,
      IsCustomizable: true,
      Icon: null,
      ViewId: '00000000-0000-0000-0000-000000000000',
      AvailableOffline: true,
      MenuId: null,
      QueryApi: null,
      Label: label('', `rel:${r.schemaName}:menu`),
    },
    CascadeConfiguration: {
      Assign: r.cascadeDelete === 'Cascade' ? 'Cascade' : 'NoCascade',
      Delete: r.cascadeDelete,
      Archive: r.cascadeDelete === 'Cascade' ? 'Cascade' : 'NoCascade',
      Merge: r.cascadeDelete === 'Cascade' ? 'Cascade' : 'NoCascade',
      Reparent: r.cascadeDelete === 'Cascade' ? 'Cascade' : 'NoCascade',
      Share: r.cascadeDelete === 'Cascade' ? 'Cascade' : 'NoCascade',
      Unshare: r.cascadeDelete === 'Cascade' ? 'Cascade' : 'NoCascade',
      RollupView: 'NoCascade',
    },
  };
}
