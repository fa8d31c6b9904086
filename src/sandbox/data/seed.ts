import { nameGuid } from '../metadata/registry';
import { Rec, Store, setLookup } from '../store';
import {
  APPOINTMENT_SUBJECTS,
  CITIES,
  COMPANY_NOUNS,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  LOCATIONS,
  PRODUCTS,
  SAMPLE_COMPANIES,
  STREETS,
  TASK_SUBJECTS,
  USERS,
} from './names';
import { TIME_ZONES } from './time-zones';
import { seedSearchSamples } from './seed-search';
import { seedNotes } from '../notes/seed-notes';
import { seedViews } from '../views/seed';
import { iso } from './iso-time';

/** Deterministic sample data: the same seed gives the same records on every start. */

export const SEED = 20250602;
/** Fixed reference instant for all generated dates (the data never depends on the wall clock). */
export const ANCHOR = Date.UTC(2026, 10, 16, 8, 0, 0);
export const ORGANIZATION_ID = nameGuid('sandbox:organization');
export const TENANT_ID = nameGuid('sandbox:tenant');
const DAY = 86400000;

export interface SeedInfo {
  sandboxUserId: string;
  businessUnitId: string;
}

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  guid(): string {
    const h: string[] = [];
    for (let i = 0; i < 32; i++) h.push(Math.floor(this.next() * 16).toString(16));
    h[12] = '4';
    h[16] = '89ab'[Math.floor(this.next() * 4)];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

export function seed(store: Store): SeedInfo {
  const r = new Rng(SEED);
  const put = (entity: string, rec: Rec) => store.put(entity, rec);
  const rootBu = r.guid();
  const users: string[] = [];
  const teams: string[] = [];
  const currency = r.guid();
  const sandboxUser = r.guid();

  const sys = (created: number, by: string, owner?: { entity: string; id: string }): Rec => {
    const rec: Rec = {
      createdon: iso(created),
      modifiedon: iso(created + r.int(0, 40) * DAY),
      importsequencenumber: null,
      overriddencreatedon: null,
      timezoneruleversionnumber: 4,
      utcconversiontimezonecode: null,
    };
    setLookup(rec, 'createdby', 'systemuser', by);
    setLookup(rec, 'modifiedby', 'systemuser', by);
    setLookup(rec, 'createdonbehalfby', null, null);
    setLookup(rec, 'modifiedonbehalfby', null, null);
    if (owner) {
      setLookup(rec, 'ownerid', owner.entity, owner.id);
      setLookup(rec, 'owningbusinessunit', 'businessunit', rootBu);
      setLookup(rec, 'owninguser', owner.entity === 'systemuser' ? 'systemuser' : null, owner.entity === 'systemuser' ? owner.id : null);
      setLookup(rec, 'owningteam', owner.entity === 'team' ? 'team' : null, owner.entity === 'team' ? owner.id : null);
    }
    return rec;
  };
  const created = () => ANCHOR - r.int(30, 720) * DAY - r.int(0, 86399) * 1000;
  const anyUser = () => r.pick(users);
  const owner = () => (r.chance(0.1) ? { entity: 'team', id: r.pick(teams) } : { entity: 'systemuser', id: anyUser() });
  const money = (rec: Rec) => {
    setLookup(rec, 'transactioncurrencyid', 'transactioncurrency', currency);
    rec.exchangerate = 1;
  };

  // Organization: business unit, users, teams, currency, time zones, user settings.
  const buCreated = ANCHOR - 900 * DAY;
  put('businessunit', {
    businessunitid: rootBu,
    name: 'sandbox',
    divisionname: null,
    websiteurl: null,
    emailaddress: null,
    isdisabled: false,
    _parentbusinessunitid_value: null,
    ...sys(buCreated, sandboxUser),
  });
  USERS.forEach(([first, last, title], i) => {
    const id = i === 0 ? sandboxUser : r.guid();
    users.push(id);
    const rec: Rec = {
      systemuserid: id,
      firstname: first,
      lastname: last,
      fullname: `${first} ${last}`,
      nickname: null,
      title,
      jobtitle: title,
      domainname: `${slug(first)}.${slug(last)}@sandbox.onmicrosoft.com`,
      internalemailaddress: `${slug(first)}.${slug(last)}@sandbox.onmicrosoft.com`,
      personalemailaddress: null,
      address1_telephone1: `+1 425 555 01${String(i).padStart(2, '0')}`,
      mobilephone: null,
      address1_city: 'Redmond',
      address1_country: 'United States',
      azureactivedirectoryobjectid: r.guid(),
      isdisabled: false,
      islicensed: true,
      accessmode: 0,
      caltype: 0,
      ...sys(buCreated, sandboxUser),
    };
    setLookup(rec, 'businessunitid', 'businessunit', rootBu);
    setLookup(rec, 'parentsystemuserid', i === 0 ? null : 'systemuser', i === 0 ? null : sandboxUser);
    put('systemuser', rec);
    put('usersettings', {
      systemuserid: id,
      timezonecode: i === 0 ? 110 : r.pick([4, 35, 85, 110, 20]),
      uilanguageid: 1033,
      localeid: 1033,
      dateformatstring: 'M/d/yyyy',
      timeformatstring: 'h:mm tt',
      currencysymbol: '$',
      paginglimit: 50,
      _businessunitid_value: rootBu,
      '_businessunitid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'businessunit',
      modifiedon: iso(buCreated),
    });
  });
  for (const [name, type, isdefault] of [
    ['sandbox', 0, true],
    ['Sales Team', 0, false],
    ['Service Team', 0, false],
    ['Marketing Access', 1, false],
  ] as const) {
    const id = r.guid();
    teams.push(id);
    const rec: Rec = { teamid: id, name, teamtype: type, isdefault, description: null, emailaddress: null, ...sys(buCreated, sandboxUser) };
    setLookup(rec, 'businessunitid', 'businessunit', rootBu);
    setLookup(rec, 'administratorid', 'systemuser', sandboxUser);
    put('team', rec);
  }
  teams.splice(0, 1); // the default team owns nothing
  teams.pop(); // access teams do not own records
  put('transactioncurrency', {
    transactioncurrencyid: currency,
    currencyname: 'US Dollar',
    isocurrencycode: 'USD',
    currencysymbol: '$',
    exchangerate: 1,
    currencyprecision: 2,
    statecode: 0,
    statuscode: 1,
    organizationid: ORGANIZATION_ID,
    ...sys(buCreated, sandboxUser),
  });
  for (const [code, std, ui, bias] of TIME_ZONES) {
    put('timezonedefinition', {
      timezonedefinitionid: nameGuid(`tz:${code}`),
      timezonecode: code,
      standardname: std,
      userinterfacename: ui,
      daylightname: std.replace('Standard', 'Daylight'),
      bias,
      retiredorder: 0,
    });
  }

  // Accounts.
  const accounts: Rec[] = [];
  const names = new Set<string>();
  for (let i = 0; i < 300; i++) {
    let name = SAMPLE_COMPANIES[i];
    while (!name || names.has(name)) name = `${r.pick(COMPANY_STEMS)} ${r.pick(COMPANY_NOUNS)}${r.pick(COMPANY_SUFFIXES)}`;
    names.add(name);
    const [city, state, country, zip, phone] = r.pick(CITIES);
    const c = created();
    const inactive = r.chance(0.08);
    const domain = `${slug(name.split(/[ ,]/)[0]) || 'company'}${i}.example.com`;
    const revenue = r.chance(0.85) ? r.int(5, 50000) * 1000 : null;
    const rec: Rec = {
      accountid: r.guid(),
      name,
      accountnumber: `ACC-${10001 + i}`,
      telephone1: `${phone} ${r.int(100, 999)} ${r.int(1000, 9999)}`,
      emailaddress1: `info@${domain}`,
      websiteurl: `https://www.${domain}`,
      fax: r.chance(0.2) ? `${phone} ${r.int(100, 999)} ${r.int(1000, 9999)}` : null,
      address1_line1: `${r.int(1, 9999)} ${r.pick(STREETS)}`,
      address1_city: city,
      address1_stateorprovince: state || null,
      address1_postalcode: `${zip}${r.int(10, 99)}`,
      address1_country: country,
      address1_addresstypecode: 3,
      address1_composite: `${city}, ${country}`,
      industrycode: r.chance(0.9) ? r.int(1, 33) : null,
      customertypecode: r.pick([3, 3, 3, 8, 8, 5, 10, 11]),
      accountcategorycode: r.pick([1, 2, 2, null]),
      ownershipcode: r.pick([1, 2, 3, null]),
      preferredcontactmethodcode: 1,
      revenue,
      revenue_base: revenue,
      numberofemployees: r.chance(0.8) ? r.int(3, 250000) : null,
      creditlimit: r.chance(0.3) ? r.int(1, 500) * 1000 : null,
      creditonhold: r.chance(0.05),
      tickersymbol: r.chance(0.1) ? slug(name).slice(0, 4).toUpperCase() : null,
      description: r.chance(0.3) ? `${name} is a ${country} based customer. Key contact prefers email; renewals in Q${r.int(1, 4)}.` : null,
      donotemail: false,
      donotphone: false,
      donotfax: false,
      donotpostalmail: false,
      donotbulkemail: r.chance(0.1),
      donotsendmm: false,
      followemail: true,
      merged: false,
      participatesinworkflow: false,
      statecode: inactive ? 1 : 0,
      statuscode: inactive ? 2 : 1,
      ...sys(c, anyUser(), owner()),
    };
    setLookup(
      rec,
      'parentaccountid',
      i > 40 && r.chance(0.1) ? 'account' : null,
      i > 40 ? (accounts[r.int(0, 39)]?.accountid as string) : null,
    );
    setLookup(rec, 'primarycontactid', null, null);
    money(rec);
    accounts.push(put('account', rec));
  }

  // Contacts.
  const contacts: Rec[] = [];
  for (let i = 0; i < 600; i++) {
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const acct = r.chance(0.92) ? accounts[i < 300 ? i : r.int(0, 299)] : null;
    const [city, state, country, zip, phone] = r.pick(CITIES);
    const domain = acct ? String(acct.emailaddress1).split('@')[1] : 'mail.example.org';
    const inactive = r.chance(0.05);
    const rec: Rec = {
      contactid: r.guid(),
      firstname: first,
      lastname: last,
      fullname: `${first} ${last}`,
      middlename: null,
      salutation: r.pick(['Mr.', 'Ms.', 'Dr.', null, null]),
      jobtitle: r.chance(0.8) ? r.pick(JOB_TITLES) : null,
      emailaddress1: `${slug(first)}.${slug(last)}${i}@${domain}`,
      telephone1: `${phone} ${r.int(100, 999)} ${r.int(1000, 9999)}`,
      mobilephone: r.chance(0.6) ? `${phone} ${r.int(100, 999)} ${r.int(1000, 9999)}` : null,
      address1_line1: `${r.int(1, 9999)} ${r.pick(STREETS)}`,
      address1_city: city,
      address1_stateorprovince: state || null,
      address1_postalcode: `${zip}${r.int(10, 99)}`,
      address1_country: country,
      address1_composite: `${city}, ${country}`,
      birthdate: r.chance(0.3) ? isoDate(Date.UTC(r.int(1955, 2000), r.int(0, 11), r.int(1, 28))) : null,
      gendercode: r.pick([1, 2, null]),
      familystatuscode: r.pick([1, 2, null, null]),
      preferredcontactmethodcode: r.pick([1, 2, 3]),
      creditonhold: false,
      donotemail: r.chance(0.05),
      donotphone: false,
      donotfax: false,
      donotpostalmail: false,
      donotbulkemail: r.chance(0.1),
      donotsendmm: false,
      followemail: true,
      merged: false,
      participatesinworkflow: false,
      isbackofficecustomer: false,
      description: r.chance(0.15) ? `Met ${first} at the ${city} trade show.` : null,
      statecode: inactive ? 1 : 0,
      statuscode: inactive ? 2 : 1,
      ...sys(created(), anyUser(), owner()),
    };
    setLookup(rec, 'parentcustomerid', acct ? 'account' : null, acct ? (acct.accountid as string) : null);
    money(rec);
    contacts.push(put('contact', rec));
    if (acct && acct._primarycontactid_value === null && r.chance(0.7))
      setLookup(acct, 'primarycontactid', 'contact', rec.contactid as string);
  }

  // Leads.
  const leads: Rec[] = [];
  for (let i = 0; i < 150; i++) {
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const company = `${r.pick(COMPANY_STEMS)} ${r.pick(COMPANY_NOUNS)}`;
    const state = r.pick([0, 0, 0, 0, 1, 2]);
    const [city, , country] = r.pick(CITIES);
    const rec: Rec = {
      leadid: r.guid(),
      subject: `Interested in ${r.pick(PRODUCTS)}`,
      firstname: first,
      lastname: last,
      fullname: `${first} ${last}`,
      companyname: company,
      jobtitle: r.pick(JOB_TITLES),
      emailaddress1: `${slug(first)}.${slug(last)}@${slug(company)}.example.com`,
      telephone1: `+1 555 ${r.int(100, 999)} ${r.int(1000, 9999)}`,
      leadsourcecode: r.int(1, 10),
      leadqualitycode: r.int(1, 3),
      industrycode: r.chance(0.6) ? r.int(1, 33) : null,
      estimatedamount: r.int(1, 200) * 500,
      revenue: null,
      numberofemployees: r.chance(0.5) ? r.int(5, 5000) : null,
      address1_city: city,
      address1_country: country,
      donotemail: false,
      donotphone: false,
      decisionmaker: r.chance(0.4),
      confirminterest: false,
      statecode: state,
      statuscode: state === 0 ? r.pick([1, 2]) : state === 1 ? 3 : r.pick([4, 5, 6, 7]),
      ...sys(created(), anyUser(), owner()),
    };
    const acct = r.chance(0.2) ? r.pick(accounts) : null;
    setLookup(rec, 'parentaccountid', acct ? 'account' : null, acct ? (acct.accountid as string) : null);
    setLookup(rec, 'parentcontactid', null, null);
    setLookup(rec, 'customerid', null, null);
    money(rec);
    leads.push(put('lead', rec));
  }

  // Opportunities.
  const opportunities: Rec[] = [];
  for (let i = 0; i < 200; i++) {
    const acct = r.pick(accounts);
    const contact = contacts.find((c) => c._parentcustomerid_value === acct.accountid) ?? null;
    const state = r.pick([0, 0, 0, 1, 2]);
    const value = r.int(2, 400) * 1000;
    const close = ANCHOR + r.int(-180, 180) * DAY;
    const rec: Rec = {
      opportunityid: r.guid(),
      name: `${r.int(2, 200)} ${r.pick(PRODUCTS)} for ${acct.name}`.slice(0, 300),
      estimatedvalue: value,
      estimatedvalue_base: value,
      actualvalue: state === 1 ? value : null,
      estimatedclosedate: isoDate(close),
      actualclosedate: state ? isoDate(Math.min(close, ANCHOR)) : null,
      closeprobability: state === 1 ? 100 : state === 2 ? 0 : r.pick([10, 20, 40, 60, 80]),
      opportunityratingcode: r.int(1, 3),
      salesstage: r.int(0, 3),
      stepname: r.pick(['1-Qualify', '2-Develop', '3-Propose', '4-Close']),
      purchasetimeframe: r.int(0, 4),
      description: r.chance(0.3) ? `Customer evaluating ${r.pick(PRODUCTS)}; budget approved for FY${r.int(25, 26)}.` : null,
      isrevenuesystemcalculated: false,
      decisionmaker: false,
      statecode: state,
      statuscode: state === 0 ? r.pick([1, 1, 2]) : state === 1 ? 3 : r.pick([4, 5]),
      ...sys(created(), anyUser(), owner()),
    };
    setLookup(rec, 'customerid', 'account', acct.accountid as string);
    setLookup(rec, 'parentaccountid', 'account', acct.accountid as string);
    setLookup(rec, 'parentcontactid', contact ? 'contact' : null, contact ? (contact.contactid as string) : null);
    setLookup(rec, 'originatingleadid', null, null);
    money(rec);
    opportunities.push(put('opportunity', rec));
  }

  // Projects (custom table).
  const stages = [100000000, 100000001, 100000001, 100000002, 100000003];
  for (let i = 0; i < 25; i++) {
    const acct = accounts[i];
    const start = ANCHOR + r.int(-200, 60) * DAY;
    const budget = r.int(10, 500) * 1000;
    const rec: Rec = {
      cr8a1_projectid: r.guid(),
      cr8a1_name: `${String(acct.name).split(',')[0]} ${r.pick(['ERP rollout', 'CRM migration', 'Website relaunch', 'Data platform', 'Field service pilot'])}`,
      cr8a1_code: `PRJ-${String(i + 1).padStart(4, '0')}`,
      cr8a1_stage: r.pick(stages),
      cr8a1_budget: budget,
      cr8a1_budget_base: budget,
      cr8a1_startdate: isoDate(start),
      cr8a1_enddate: isoDate(start + r.int(30, 300) * DAY),
      cr8a1_percentcomplete: r.int(0, 100),
      cr8a1_billable: r.chance(0.8),
      cr8a1_description: null,
      statecode: 0,
      statuscode: 1,
      ...sys(created(), anyUser(), owner()),
    };
    setLookup(rec, 'cr8a1_accountid', 'account', acct.accountid as string);
    setLookup(rec, 'cr8a1_projectmanagerid', 'systemuser', anyUser());
    money(rec);
    put('cr8a1_project', rec);
  }

  // Activities with parties.
  const party = (activity: string, activityId: string, type: number, entity: string, rec: Rec) => {
    const p: Rec = {
      activitypartyid: r.guid(),
      participationtypemask: type,
      addressused: (rec.emailaddress1 ?? rec.internalemailaddress ?? null) as string | null,
      ispartydeleted: false,
      donotemail: false,
      donotphone: false,
      scheduledstart: null,
      scheduledend: null,
      effort: null,
      exchangeentryid: null,
    };
    setLookup(p, 'activityid', activity, activityId);
    setLookup(p, 'partyid', entity, rec[`${entity}id`] as string);
    setLookup(p, 'ownerid', null, null);
    put('activityparty', p);
  };
  const regarding = (rec: Rec) => {
    const kind = r.int(0, 9);
    if (kind < 5) setLookup(rec, 'regardingobjectid', 'account', r.pick(accounts).accountid as string);
    else if (kind < 7) setLookup(rec, 'regardingobjectid', 'contact', r.pick(contacts).contactid as string);
    else if (kind < 9) setLookup(rec, 'regardingobjectid', 'opportunity', r.pick(opportunities).opportunityid as string);
    else setLookup(rec, 'regardingobjectid', null, null);
  };
  const userRec = (id: string) => store.get('systemuser', id)!;
  const activity = (entity: string, subject: string, start: number, minutes: number, extra: Rec): Rec => {
    const o = { entity: 'systemuser', id: anyUser() };
    const rec: Rec = {
      activityid: r.guid(),
      subject,
      description: null,
      activitytypecode: entity,
      prioritycode: r.pick([0, 1, 1, 1, 2]),
      scheduledstart: iso(start),
      scheduledend: iso(start + minutes * 60000),
      scheduleddurationminutes: minutes,
      actualstart: null,
      actualend: null,
      actualdurationminutes: null,
      isbilled: false,
      isworkflowcreated: false,
      isregularactivity: true,
      category: null,
      subcategory: null,
      ...sys(Math.min(start, ANCHOR) - r.int(1, 20) * DAY, o.id, o),
      ...extra,
    };
    regarding(rec);
    return put(entity, rec);
  };
  for (let i = 0; i < 150; i++) {
    const start = ANCHOR + r.int(-60, 60) * DAY + r.int(16, 34) * 1800000 - 8 * 3600000;
    const past = start < ANCHOR;
    const a = activity('appointment', r.pick(APPOINTMENT_SUBJECTS), start, r.pick([30, 30, 60, 60, 90]), {
      location: r.pick(LOCATIONS),
      isalldayevent: false,
      isonlinemeeting: false,
      instancetypecode: 0,
      ismapiprivate: false,
      statecode: past ? 1 : 3,
      statuscode: past ? 3 : 5,
    });
    party('appointment', a.activityid as string, 7, 'systemuser', userRec(a._ownerid_value as string));
    const n = r.int(1, 3);
    for (let k = 0; k < n; k++) party('appointment', a.activityid as string, 5, 'contact', r.pick(contacts));
    if (r.chance(0.3)) party('appointment', a.activityid as string, 6, 'systemuser', userRec(anyUser()));
  }
  for (let i = 0; i < 200; i++) {
    const due = ANCHOR + r.int(-45, 45) * DAY;
    const state = due < ANCHOR && r.chance(0.6) ? 1 : r.chance(0.05) ? 2 : 0;
    activity('task', r.pick(TASK_SUBJECTS), due - 3600000, 60, {
      description: r.chance(0.4) ? 'Remember to attach the latest price list.' : null,
      percentcomplete: state === 1 ? 100 : r.pick([0, 0, 25, 50]),
      statecode: state,
      statuscode: state === 1 ? 5 : state === 2 ? 6 : r.pick([2, 3, 4, 7]),
    });
  }
  for (let i = 0; i < 60; i++) {
    const c = r.pick(contacts);
    const incoming = r.chance(0.4);
    const e = activity('email', `${r.pick(['Re: ', 'Fwd: ', ''])}${r.pick(APPOINTMENT_SUBJECTS)}`, ANCHOR - r.int(1, 90) * DAY, 0, {
      description: `<p>Hello ${c.firstname},</p><p>Following up on our conversation.</p>`,
      directioncode: !incoming,
      sender: incoming ? c.emailaddress1 : null,
      torecipients: incoming ? null : c.emailaddress1,
      senton: null,
      attachmentcount: 0,
      statecode: 1,
      statuscode: incoming ? 4 : 3,
    });
    const u = userRec(e._ownerid_value as string);
    party('email', e.activityid as string, 1, incoming ? 'contact' : 'systemuser', incoming ? c : u);
    party('email', e.activityid as string, 2, incoming ? 'systemuser' : 'contact', incoming ? u : c);
  }
  for (let i = 0; i < 60; i++) {
    const c = r.pick(contacts);
    const incoming = r.chance(0.3);
    const when = ANCHOR + r.int(-60, 20) * DAY;
    const done = when < ANCHOR;
    const p = activity('phonecall', `${incoming ? 'Call from' : 'Call'} ${c.fullname}`, when, 15, {
      phonenumber: c.telephone1,
      directioncode: !incoming,
      leftvoicemail: false,
      statecode: done ? 1 : 0,
      statuscode: done ? (incoming ? 4 : 2) : 1,
    });
    const u = userRec(p._ownerid_value as string);
    party('phonecall', p.activityid as string, 1, incoming ? 'contact' : 'systemuser', incoming ? c : u);
    party('phonecall', p.activityid as string, 2, incoming ? 'systemuser' : 'contact', incoming ? u : c);
  }
  seedSearchSamples(store);
  seedNotes(store, sandboxUser);
  seedViews(store, users, rootBu, ORGANIZATION_ID, iso(buCreated));
  return { sandboxUserId: sandboxUser, businessUnitId: rootBu };
}
