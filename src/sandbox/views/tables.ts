/** The sample tables' views: columns (layout cells), filters, sort and quick find columns. */

export interface Cond {
  attribute: string;
  operator: string;
  value?: string;
  values?: string[];
}
export interface Link {
  alias: string;
  name: string;
  from: string;
  to: string;
  attribute: string;
}
export interface TableSpec {
  table: string;
  pk: string;
  otc: number;
  plural: string;
  /** Layout cells in order: [column, width]; linked columns as `alias.attribute`. */
  cells: [string, number][];
  links?: Link[];
  order: [string, boolean];
  active: { name: string; conditions: Cond[] };
  inactive?: { name: string; conditions: Cond[] };
  mine?: string;
  quickFind: string[];
}

export const active: Cond = { attribute: 'statecode', operator: 'eq', value: '0' };
export const inactive: Cond = { attribute: 'statecode', operator: 'eq', value: '1' };
export const mine: Cond = { attribute: 'ownerid', operator: 'eq-userid' };

export const TABLES: TableSpec[] = [
  {
    table: 'account',
    pk: 'accountid',
    otc: 1,
    plural: 'Accounts',
    cells: [
      ['name', 300],
      ['telephone1', 125],
      ['address1_city', 150],
      ['primarycontactid', 150],
      ['accountprimarycontactidcontactcontactid.emailaddress1', 150],
    ],
    links: [
      {
        alias: 'accountprimarycontactidcontactcontactid',
        name: 'contact',
        from: 'contactid',
        to: 'primarycontactid',
        attribute: 'emailaddress1',
      },
    ],
    order: ['name', false],
    active: { name: 'Active Accounts', conditions: [active] },
    inactive: { name: 'Inactive Accounts', conditions: [inactive] },
    mine: 'My Active Accounts',
    quickFind: ['name', 'accountnumber', 'emailaddress1', 'telephone1'],
  },
  {
    table: 'contact',
    pk: 'contactid',
    otc: 2,
    plural: 'Contacts',
    cells: [
      ['fullname', 300],
      ['parentcustomerid', 150],
      ['address1_city', 100],
      ['telephone1', 125],
      ['emailaddress1', 200],
    ],
    order: ['fullname', false],
    active: { name: 'Active Contacts', conditions: [active] },
    inactive: { name: 'Inactive Contacts', conditions: [inactive] },
    mine: 'My Active Contacts',
    quickFind: ['fullname', 'firstname', 'lastname', 'emailaddress1', 'telephone1'],
  },
  {
    table: 'lead',
    pk: 'leadid',
    otc: 4,
    plural: 'Leads',
    cells: [
      ['fullname', 200],
      ['subject', 200],
      ['companyname', 150],
      ['emailaddress1', 200],
      ['statuscode', 100],
      ['createdon', 125],
      ['ownerid', 125],
    ],
    order: ['createdon', true],
    active: { name: 'Open Leads', conditions: [active] },
    mine: 'My Open Leads',
    quickFind: ['fullname', 'subject', 'companyname', 'emailaddress1'],
  },
  {
    table: 'opportunity',
    pk: 'opportunityid',
    otc: 3,
    plural: 'Opportunities',
    cells: [
      ['name', 300],
      ['customerid', 150],
      ['estimatedvalue', 125],
      ['estimatedclosedate', 125],
      ['opportunityratingcode', 100],
      ['ownerid', 125],
    ],
    order: ['estimatedclosedate', false],
    active: { name: 'Open Opportunities', conditions: [active] },
    inactive: { name: 'Closed Opportunities', conditions: [{ attribute: 'statecode', operator: 'ne', value: '0' }] },
    mine: 'My Open Opportunities',
    quickFind: ['name', 'customerid'],
  },
  {
    table: 'task',
    pk: 'activityid',
    otc: 4212,
    plural: 'Tasks',
    cells: [
      ['subject', 300],
      ['regardingobjectid', 150],
      ['prioritycode', 100],
      ['scheduledend', 125],
      ['statuscode', 100],
      ['ownerid', 125],
    ],
    order: ['scheduledend', false],
    active: { name: 'Open Tasks', conditions: [active] },
    mine: 'My Open Tasks',
    quickFind: ['subject'],
  },
  {
    table: 'appointment',
    pk: 'activityid',
    otc: 4201,
    plural: 'Appointments',
    cells: [
      ['subject', 300],
      ['regardingobjectid', 150],
      ['scheduledstart', 125],
      ['scheduledend', 125],
      ['location', 150],
      ['ownerid', 125],
    ],
    order: ['scheduledstart', false],
    active: { name: 'Open Appointments', conditions: [{ attribute: 'statecode', operator: 'in', values: ['0', '3'] }] },
    quickFind: ['subject', 'location'],
  },
  {
    table: 'email',
    pk: 'activityid',
    otc: 4202,
    plural: 'Email Messages',
    cells: [
      ['subject', 300],
      ['regardingobjectid', 150],
      ['directioncode', 100],
      ['statuscode', 100],
      ['modifiedon', 125],
      ['ownerid', 125],
    ],
    order: ['modifiedon', true],
    active: { name: 'All Email Messages', conditions: [] },
    quickFind: ['subject'],
  },
  {
    table: 'phonecall',
    pk: 'activityid',
    otc: 4210,
    plural: 'Phone Calls',
    cells: [
      ['subject', 300],
      ['phonenumber', 125],
      ['directioncode', 100],
      ['regardingobjectid', 150],
      ['scheduledend', 125],
      ['statuscode', 100],
    ],
    order: ['scheduledend', false],
    active: { name: 'Open Phone Calls', conditions: [active] },
    quickFind: ['subject', 'phonenumber'],
  },
  {
    table: 'cr8a1_project',
    pk: 'cr8a1_projectid',
    otc: 10421,
    plural: 'Projects',
    cells: [
      ['cr8a1_name', 300],
      ['cr8a1_code', 100],
      ['cr8a1_accountid', 150],
      ['cr8a1_stage', 100],
      ['cr8a1_startdate', 100],
      ['cr8a1_enddate', 100],
    ],
    order: ['cr8a1_name', false],
    active: { name: 'Active Projects', conditions: [active] },
    inactive: { name: 'Inactive Projects', conditions: [inactive] },
    quickFind: ['cr8a1_name', 'cr8a1_code'],
  },
  {
    table: 'systemuser',
    pk: 'systemuserid',
    otc: 8,
    plural: 'Users',
    cells: [
      ['fullname', 200],
      ['title', 150],
      ['businessunitid', 150],
      ['internalemailaddress', 200],
      ['address1_telephone1', 125],
    ],
    order: ['fullname', false],
    active: { name: 'Enabled Users', conditions: [{ attribute: 'isdisabled', operator: 'eq', value: '0' }] },
    quickFind: ['fullname', 'internalemailaddress'],
  },
  {
    table: 'team',
    pk: 'teamid',
    otc: 9,
    plural: 'Teams',
    cells: [
      ['name', 300],
      ['businessunitid', 150],
      ['teamtype', 100],
    ],
    order: ['name', false],
    active: { name: 'All Teams', conditions: [] },
    quickFind: ['name'],
  },
];
