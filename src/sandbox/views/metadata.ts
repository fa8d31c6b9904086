import { A, AttrDef, EntityDef, systemBlock } from '../metadata/model';

/** The view tables: `savedquery` (system views) and `userquery` (personal views). */

function viewAttributes(pk: string, label: string): AttrDef[] {
  return [
    A.id(pk, label),
    A.str('name', 'Name', 200, { required: 'SystemRequired', isPrimaryName: true }),
    A.memo('description', 'Description', 2000),
    A.str('returnedtypecode', 'Returned Type Code', 64, {
      type: 'EntityName',
      format: undefined,
      maxLength: undefined,
      required: 'SystemRequired',
    }),
    A.int('querytype', 'Query Type', { required: 'SystemRequired' }),
    A.memo('fetchxml', 'Query', 1_073_741_823),
    A.memo('layoutxml', 'Layout', 1_073_741_823),
    A.state('0:Active:1|1:Inactive:2'),
    A.status('1:Active:0|2:Inactive:1'),
  ];
}

export function viewEntities(): EntityDef[] {
  const common = { isActivity: false, isCustom: false, isValidForAdvancedFind: false } as const;
  return [
    {
      ...common,
      logicalName: 'savedquery',
      schemaName: 'SavedQuery',
      entitySetName: 'savedqueries',
      collectionSchemaName: 'SavedQueries',
      displayName: 'View',
      displayCollectionName: 'Views',
      description: 'Saved query against the database.',
      primaryIdAttribute: 'savedqueryid',
      primaryNameAttribute: 'name',
      objectTypeCode: 1039,
      ownershipType: 'OrganizationOwned',
      attributes: [
        ...viewAttributes('savedqueryid', 'View'),
        A.bool('isdefault', 'Is Default', ['No', 'Yes'], { readOnly: true }),
        A.bool('isquickfindquery', 'Is Quick Find Query', ['No', 'Yes']),
        A.bool('iscustomizable', 'Customizable', ['No', 'Yes'], { readOnly: true }),
        ...systemBlock('savedquery', 'savedquery', 'OrganizationOwned'),
      ],
    },
    {
      ...common,
      logicalName: 'userquery',
      schemaName: 'UserQuery',
      entitySetName: 'userqueries',
      collectionSchemaName: 'UserQueries',
      displayName: 'Saved View',
      displayCollectionName: 'Saved Views',
      description: 'Saved database query that is owned by a user.',
      primaryIdAttribute: 'userqueryid',
      primaryNameAttribute: 'name',
      objectTypeCode: 4230,
      ownershipType: 'UserOwned',
      attributes: [...viewAttributes('userqueryid', 'Saved View'), ...systemBlock('userquery', 'userquery', 'UserOwned')],
    },
  ];
}
