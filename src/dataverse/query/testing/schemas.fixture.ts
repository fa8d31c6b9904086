import type { TableSchema } from '../../metadata/schema-format';

/** Small schemas in the shape MetadataService returns, for the query unit specs. */
export const CONTACT: TableSchema = {
  logicalName: 'contact',
  entitySetName: 'contacts',
  primaryIdAttribute: 'contactid',
  primaryNameAttribute: 'fullname',
  isActivity: false,
  entitySets: { account: 'accounts', contact: 'contacts', systemuser: 'systemusers', team: 'teams' },
  fields: [
    { name: 'contactid', type: 'guid', createOnly: true },
    { name: 'fullname', type: 'string(160)', readOnly: true },
    { name: 'emailaddress1', type: 'string(100)', label: 'Email' },
    { name: 'firstname', type: 'string(50)' },
    { name: 'createdon', type: 'datetime', readOnly: true },
    { name: 'birthdate', type: 'date', label: 'Birthday' },
    { name: 'statecode', type: 'state', options: '0=Active|1=Inactive' },
    { name: 'statuscode', type: 'status', options: '1=Active (state 0)|2=Inactive (state 1)' },
    { name: 'donotemail', type: 'bool', options: '0=Allow|1=Do Not Allow' },
    { name: 'annualincome', type: 'money' },
    { name: 'parentcustomerid', type: 'customer', to: { account: 'parentcustomerid_account', contact: 'parentcustomerid_contact' } },
    { name: 'ownerid', type: 'owner', to: { systemuser: 'ownerid', team: 'ownerid' } },
  ],
};

export const OPPORTUNITY: TableSchema = {
  logicalName: 'opportunity',
  entitySetName: 'opportunities',
  primaryIdAttribute: 'opportunityid',
  primaryNameAttribute: 'name',
  isActivity: false,
  entitySets: {},
  fields: [
    { name: 'opportunityid', type: 'guid' },
    { name: 'name', type: 'string(300)' },
    { name: 'estimatedvalue', type: 'money' },
    { name: 'statecode', type: 'state', options: '0=Open|1=Won|2=Lost' },
    { name: 'createdon', type: 'datetime', readOnly: true },
    { name: 'ownerid', type: 'owner', to: { systemuser: 'ownerid', team: 'ownerid' } },
    { name: 'parentaccountid', type: 'lookup', to: { account: 'parentaccountid' } },
  ],
};

export const ACCOUNT: TableSchema = {
  logicalName: 'account',
  entitySetName: 'accounts',
  primaryIdAttribute: 'accountid',
  primaryNameAttribute: 'name',
  isActivity: false,
  entitySets: {},
  fields: [
    { name: 'accountid', type: 'guid' },
    { name: 'name', type: 'string(160)' },
    { name: 'industrycode', type: 'choice', options: '1=Accounting|2=Agriculture|3=Consulting' },
    { name: 'primarycontactid', type: 'lookup', to: { contact: 'primarycontactid' } },
  ],
};

export const PRIMARY_NAMES = new Map<string, string | undefined>([
  ['account', 'name'],
  ['contact', 'fullname'],
  ['systemuser', 'fullname'],
  ['team', 'name'],
]);

export const SCHEMAS: Record<string, TableSchema> = { contact: CONTACT, opportunity: OPPORTUNITY, account: ACCOUNT };
