import { DataverseClient } from '../client/dataverse.client';
import { dataverseKindOf } from '../client/dataverse-error';
import { entityDefinitionPath } from '../client/odata';
import { buildFields, labelText, LabelSet, RawAttribute, RawOption, SchemaParts, TableSchema } from './schema-format';
import {
  MANY_TO_MANY_SELECT,
  ONE_TO_MANY_SELECT,
  RawManyToMany,
  RawOneToMany,
  TableRelationship,
  tableRelationships,
} from './table-relationships';

/** A table definition as `EntityDefinitions` gives it. */
export interface RawEntity {
  LogicalName: string;
  EntitySetName: string;
  PrimaryIdAttribute: string;
  PrimaryNameAttribute?: string | null;
  DisplayName?: LabelSet | null;
  IsActivity?: boolean;
}

export const ENTITY_SELECT = 'LogicalName,DisplayName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute';

/** Keys a table definition must have as text (the rest are optional). */
export const TABLE_KEYS: Array<keyof RawEntity> = ['LogicalName', 'EntitySetName', 'PrimaryIdAttribute'];

const ATTRIBUTE_SELECT =
  'LogicalName,AttributeType,AttributeTypeName,RequiredLevel,IsValidForCreate,IsValidForUpdate,IsValidForRead,AttributeOf,IsPrimaryId,IsPrimaryName,DisplayName';

/**
 * The compact schema of one table from its definition (attributes and relationships expanded) and the cast requests
 * for type-specific properties, all in one wave; `entitySetsOf` names the lookup targets' entity sets.
 */
export async function readSchema(
  dv: DataverseClient,
  logicalName: string,
  entitySetsOf: (tables: string[]) => Promise<Record<string, string>>,
): Promise<TableSchema> {
  const base = entityDefinitionPath(logicalName);
  const cast = (type: string) => `${base}/Attributes/Microsoft.Dynamics.CRM.${type}`;
  const optionsExpand = 'OptionSet($select=Options),GlobalOptionSet($select=Options)';
  const ctx = { context: { table: logicalName } };
  const byName = { ...ctx, expect: { rows: ['LogicalName'] } };
  type Rows<T> = { value: T[] };
  type WithOptions = {
    LogicalName: string;
    OptionSet?: { Options?: RawOption[] } | null;
    GlobalOptionSet?: { Options?: RawOption[] } | null;
  };
  type ManyToOne = { ReferencingAttribute: string; ReferencedEntity: string; ReferencingEntityNavigationPropertyName: string };
  const manyToOneKeys = ['ReferencingAttribute', 'ReferencedEntity', 'ReferencingEntityNavigationPropertyName'];
  type Definition = RawEntity & {
    Attributes: RawAttribute[];
    ManyToOneRelationships: ManyToOne[];
    ManyToManyRelationships: RawManyToMany[];
    OneToManyRelationships: RawOneToMany[];
  };
  // The definition, its attributes and its N:1, N:N and 1:N relationships in one request ($expand); the
  // type-specific properties need one cast request each (EnumAttributeMetadata is not castable), all in the same wave.
  const [entity, strings, memos, dates, picklists, multi, states, statuses, lookups] = await Promise.all([
    dv.get<Definition>(base, {
      query: {
        $select: `${ENTITY_SELECT},IsActivity`,
        $expand:
          `Attributes($select=${ATTRIBUTE_SELECT}),ManyToOneRelationships($select=${manyToOneKeys.join(',')}),` +
          `ManyToManyRelationships($select=${MANY_TO_MANY_SELECT.join(',')}),OneToManyRelationships($select=${ONE_TO_MANY_SELECT.join(',')})`,
      },
      expect: {
        strings: TABLE_KEYS,
        lists: {
          Attributes: ['LogicalName'],
          ManyToOneRelationships: manyToOneKeys,
          // A relationship without a navigation property on this side is left out, not refused.
          ManyToManyRelationships: ['SchemaName', 'Entity1LogicalName', 'Entity2LogicalName'],
          OneToManyRelationships: ['SchemaName', 'ReferencingEntity'],
        },
      },
      ...ctx,
    }),
    dv.get<Rows<{ LogicalName: string; MaxLength?: number }>>(cast('StringAttributeMetadata'), {
      query: { $select: 'LogicalName,MaxLength' },
      ...byName,
    }),
    dv.get<Rows<{ LogicalName: string; MaxLength?: number }>>(cast('MemoAttributeMetadata'), {
      query: { $select: 'LogicalName,MaxLength' },
      ...byName,
    }),
    dv.get<Rows<{ LogicalName: string; Format?: string }>>(cast('DateTimeAttributeMetadata'), {
      query: { $select: 'LogicalName,Format' },
      ...byName,
    }),
    dv.get<Rows<WithOptions>>(cast('PicklistAttributeMetadata'), {
      query: { $select: 'LogicalName', $expand: optionsExpand },
      ...byName,
    }),
    optionalMetadata(
      dv.get<Rows<WithOptions>>(cast('MultiSelectPicklistAttributeMetadata'), {
        query: { $select: 'LogicalName', $expand: optionsExpand },
        ...byName,
      }),
    ),
    dv.get<Rows<WithOptions>>(cast('StateAttributeMetadata'), {
      query: { $select: 'LogicalName', $expand: 'OptionSet($select=Options)' },
      ...byName,
    }),
    dv.get<Rows<WithOptions>>(cast('StatusAttributeMetadata'), {
      query: { $select: 'LogicalName', $expand: 'OptionSet($select=Options)' },
      ...byName,
    }),
    dv.get<Rows<{ LogicalName: string; Targets?: string[] }>>(cast('LookupAttributeMetadata'), {
      query: { $select: 'LogicalName,Targets' },
      ...byName,
    }),
  ]);

  const options = new Map<string, RawOption[]>();
  for (const rows of [picklists.body.value, multi?.body.value ?? [], states.body.value, statuses.body.value]) {
    for (const r of rows) {
      const opts = r.OptionSet?.Options?.length ? r.OptionSet.Options : (r.GlobalOptionSet?.Options ?? []);
      options.set(r.LogicalName, opts);
    }
  }
  const navigation = new Map<string, Map<string, string>>();
  for (const r of entity.body.ManyToOneRelationships) {
    const m = navigation.get(r.ReferencingAttribute) ?? new Map<string, string>();
    m.set(r.ReferencedEntity, r.ReferencingEntityNavigationPropertyName);
    navigation.set(r.ReferencingAttribute, m);
  }
  const parts: SchemaParts = {
    attributes: entity.body.Attributes,
    maxLengths: new Map(
      [...strings.body.value, ...memos.body.value]
        .filter((r) => typeof r.MaxLength === 'number')
        .map((r) => [r.LogicalName, r.MaxLength as number]),
    ),
    options,
    dateOnly: new Set(dates.body.value.filter((r) => r.Format === 'DateOnly').map((r) => r.LogicalName)),
    targets: new Map(lookups.body.value.map((r) => [r.LogicalName, r.Targets ?? []])),
    navigation,
  };
  const e = entity.body;
  const fields = buildFields(parts, e.PrimaryIdAttribute, e.PrimaryNameAttribute ?? undefined);
  const targetTables = [...new Set(fields.flatMap((f) => Object.keys(f.to ?? {})))];
  return {
    logicalName: e.LogicalName,
    entitySetName: e.EntitySetName,
    displayName: labelText(e.DisplayName),
    primaryIdAttribute: e.PrimaryIdAttribute,
    primaryNameAttribute: e.PrimaryNameAttribute ?? undefined,
    isActivity: !!e.IsActivity,
    fields,
    entitySets: await entitySetsOf(targetTables),
    relationships: tableRelationships(e.LogicalName, e.ManyToManyRelationships, e.OneToManyRelationships),
    fieldsJson: { all: JSON.stringify(fields), writable: JSON.stringify(fields.filter((f) => !f.readOnly)) },
  };
}

/** A table's N:N and 1:N relationships read on their own (for a schema cached without them). */
export async function readRelationships(dv: DataverseClient, logicalName: string): Promise<TableRelationship[]> {
  const base = entityDefinitionPath(logicalName);
  const ctx = { context: { table: logicalName } };
  const [nn, oneN] = await Promise.all([
    dv.get<{ value: RawManyToMany[] }>(`${base}/ManyToManyRelationships`, { query: { $select: MANY_TO_MANY_SELECT.join(',') }, ...ctx }),
    dv.get<{ value: RawOneToMany[] }>(`${base}/OneToManyRelationships`, { query: { $select: ONE_TO_MANY_SELECT.join(',') }, ...ctx }),
  ]);
  return tableRelationships(logicalName, nn.body.value, oneN.body.value);
}

/** A metadata query the schema can do without (older environments, missing casts). */
export async function optionalMetadata<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    const kind = dataverseKindOf(error);
    if (kind === 'not_found' || kind === 'bad_request' || kind === 'invalid_field') return undefined;
    throw error;
  }
}
