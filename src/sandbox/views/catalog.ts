import { xmlEscape } from '../fetchxml/xml';

/** The system and personal views of the sample tables, in the shapes the app stores them (fetchxml + layoutxml). */

export const QueryType = { public: 0, advancedFind: 1, associated: 2, quickFind: 4, lookup: 64 } as const;

export interface ViewDef {
  table: string;
  name: string;
  description: string;
  querytype: number;
  isdefault: boolean;
  isquickfindquery: boolean;
  fetchxml: string;
  layoutxml: string;
  /** Personal views only: who owns it ('sandbox' or another user's index in USERS). */
  owner?: number;
}

interface Cond {
  attribute: string;
  operator: string;
  value?: string;
  values?: string[];
}
interface Link {
  alias: string;
  name: string;
  from: string;
  to: string;
  attribute: string;
}
interface TableSpec {
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

const condXml = (c: Cond) =>
  c.values
    ? `<condition attribute="${c.attribute}" operator="${c.operator}">${c.values.map((v) => `<value>${xmlEscape(v)}</value>`).join('')}</condition>`
    : `<condition attribute="${c.attribute}" operator="${c.operator}"${c.value !== undefined ? ` value="${xmlEscape(c.value)}"` : ''} />`;

function fetchXml(s: TableSpec, conditions: Cond[], quickFind?: string[], order = s.order): string {
  const own = s.cells.filter(([c]) => !c.includes('.')).map(([c]) => c);
  const attrs = [...own, ...(own.includes(s.pk) ? [] : [s.pk])].map((a) => `<attribute name="${a}" />`).join('');
  const links = (s.links ?? [])
    .map(
      (l) =>
        `<link-entity alias="${l.alias}" name="${l.name}" from="${l.from}" to="${l.to}" link-type="outer" visible="false"><attribute name="${l.attribute}" /></link-entity>`,
    )
    .join('');
  const filter = conditions.length ? `<filter type="and">${conditions.map(condXml).join('')}</filter>` : '';
  const qf = quickFind
    ? `<filter type="or" isquickfindfields="1">${quickFind.map((a) => `<condition attribute="${a}" operator="like" value="{0}" />`).join('')}</filter>`
    : '';
  return (
    `<fetch version="1.0" output-format="xml-platform" mapping="logical" distinct="false"><entity name="${s.table}">${attrs}` +
    `<order attribute="${order[0]}" descending="${order[1]}" />${filter}${qf}${links}</entity></fetch>`
  );
}

function layoutXml(s: TableSpec, cells = s.cells): string {
  return (
    `<grid name="resultset" object="${s.otc}" jump="${cells[0][0]}" select="1" icon="1" preview="1"><row name="result" id="${s.pk}">` +
    `${cells.map(([c, w]) => `<cell name="${c}" width="${w}" />`).join('')}</row></grid>`
  );
}

const active: Cond = { attribute: 'statecode', operator: 'eq', value: '0' };
const inactive: Cond = { attribute: 'statecode', operator: 'eq', value: '1' };
const mine: Cond = { attribute: 'ownerid', operator: 'eq-userid' };

const TABLES: TableSpec[] = [
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

const view = (s: TableSpec, name: string, description: string, fetchxml: string, o: Partial<ViewDef> = {}): ViewDef => ({
  table: s.table,
  name,
  description,
  querytype: QueryType.public,
  isdefault: false,
  isquickfindquery: false,
  fetchxml,
  layoutxml: layoutXml(s),
  ...o,
});

/** Every system view (savedquery) and personal view (userquery) of the sample data. */
export function viewCatalog(): ViewDef[] {
  const out: ViewDef[] = [];
  for (const s of TABLES) {
    const p = s.plural.toLowerCase();
    out.push(view(s, s.active.name, `Default public view of ${p}.`, fetchXml(s, s.active.conditions), { isdefault: true }));
    if (s.mine)
      out.push(
        view(
          s,
          s.mine,
          `The ${p} I own that are ${s.active.name.split(' ')[0].toLowerCase()}.`,
          fetchXml(s, [...s.active.conditions, mine]),
        ),
      );
    if (s.inactive) out.push(view(s, s.inactive.name, `${s.inactive.name}.`, fetchXml(s, s.inactive.conditions)));
    out.push(
      view(s, `Quick Find ${s.active.name}`, `Quick find view of ${p}.`, fetchXml(s, s.active.conditions, s.quickFind), {
        querytype: QueryType.quickFind,
        isquickfindquery: true,
      }),
    );
    const lookupCells = s.cells.slice(0, 2).filter(([c]) => !c.includes('.'));
    out.push(
      view(
        s,
        `${s.plural.replace(/s$/, '')} Lookup View`,
        `Lookup view of ${p}.`,
        fetchXml({ ...s, cells: lookupCells, links: [] }, s.active.conditions),
        {
          querytype: QueryType.lookup,
          layoutxml: layoutXml(s, lookupCells),
        },
      ),
    );
  }
  const opp = TABLES.find((t) => t.table === 'opportunity')!;
  out.push(
    view(
      opp,
      'My Big Open Deals',
      'Open opportunities worth $100,000 or more.',
      fetchXml(opp, [active, { attribute: 'estimatedvalue', operator: 'ge', value: '100000' }], undefined, ['estimatedvalue', true]),
      { owner: 0 },
    ),
  );
  const lead = TABLES.find((t) => t.table === 'lead')!;
  out.push(
    view(
      lead,
      'Hot Leads',
      'Open leads rated hot.',
      fetchXml(lead, [active, { attribute: 'leadqualitycode', operator: 'eq', value: '1' }]),
      { owner: 0 },
    ),
  );
  const account = TABLES.find((t) => t.table === 'account')!;
  out.push(
    view(
      account,
      'Accounts in Seattle',
      'Active accounts in Seattle.',
      fetchXml(account, [active, { attribute: 'address1_city', operator: 'eq', value: 'Seattle' }]),
      {
        owner: 1,
      },
    ),
  );
  return out;
}
