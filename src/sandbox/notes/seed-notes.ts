import { iso } from '../data/iso-time';
import { nameGuid } from '../metadata/registry';
import { Rec, Store, setLookup } from '../store';
import { noteFileFields } from './note-fields';

const HOUR = 3600000;
/** Same instant as the rest of the sample data, so the notes are older than "now" but deterministic. */
const ANCHOR = Date.UTC(2025, 5, 2, 8, 0, 0);

/** A tiny PNG (1×1, transparent): the binary attachment of the sample data. */
export const SAMPLE_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

export const SAMPLE_CSV = 'quarter,units,revenue\nQ1,120,24000\nQ2,135,27000\n';

interface NoteSeed {
  subject: string;
  notetext: string;
  hoursAgo: number;
  file?: { name: string; mime: string; base64: string };
}

const ACCOUNT_NOTES: NoteSeed[] = [
  { subject: 'Kick-off call', notetext: 'Agreed on a pilot with two sites; follow up with a quote.', hoursAgo: 24 * 20 },
  {
    subject: 'Forecast',
    notetext: 'Sales figures for the first half, as sent by their purchasing team.',
    hoursAgo: 24 * 6,
    file: { name: 'forecast.csv', mime: 'text/csv', base64: Buffer.from(SAMPLE_CSV, 'utf8').toString('base64') },
  },
  {
    subject: 'Logo',
    notetext: 'Their logo for the proposal cover.',
    hoursAgo: 24 * 2,
    file: { name: 'logo.png', mime: 'image/png', base64: SAMPLE_PNG_BASE64 },
  },
  {
    subject: 'Meeting notes',
    notetext:
      'Long notes from the quarterly review. ' +
      'They want faster delivery to the northern sites, a single invoice per month and a named contact for support. '.repeat(8),
    hoursAgo: 5,
  },
];

const CONTACT_NOTES: NoteSeed[] = [{ subject: 'Prefers email', notetext: 'Asked to be contacted by email, not phone.', hoursAgo: 24 * 9 }];

/**
 * Notes on a few sample records: four on "Contoso Ltd" (one with a CSV file, one with a PNG, one long text),
 * one on the first contact of that account. Uses fixed ids and dates; draws nothing from the main generator.
 */
export function seedNotes(store: Store, authorId: string): void {
  const account = [...store.table('account').values()].find((a) => a.name === 'Contoso Ltd');
  if (!account) return;
  const accountId = account.accountid as string;
  for (const n of ACCOUNT_NOTES) put(store, 'account', accountId, n, authorId);
  const contact = [...store.table('contact').values()]
    .filter((c) => c._parentcustomerid_value === accountId)
    .sort((x, y) => String(x.contactid).localeCompare(String(y.contactid)))[0];
  if (contact) for (const n of CONTACT_NOTES) put(store, 'contact', contact.contactid as string, n, authorId);
}

function put(store: Store, table: string, id: string, n: NoteSeed, authorId: string): void {
  const at = iso(ANCHOR - n.hoursAgo * HOUR);
  const rec: Rec = {
    annotationid: nameGuid(`sandbox:note:${table}:${id}:${n.subject}`),
    subject: n.subject,
    notetext: n.notetext,
    filename: n.file?.name ?? null,
    mimetype: n.file?.mime ?? null,
    documentbody: n.file?.base64 ?? null,
    langid: null,
    stepid: null,
    createdon: at,
    modifiedon: at,
    importsequencenumber: null,
    overriddencreatedon: null,
    timezoneruleversionnumber: null,
    utcconversiontimezonecode: null,
  };
  setLookup(rec, 'objectid', table, id);
  for (const k of ['createdby', 'modifiedby', 'ownerid', 'owninguser']) setLookup(rec, k, 'systemuser', authorId);
  setLookup(rec, 'createdonbehalfby', null, null);
  setLookup(rec, 'modifiedonbehalfby', null, null);
  setLookup(rec, 'owningteam', null, null);
  const bu = store.get('systemuser', authorId)?._businessunitid_value;
  setLookup(rec, 'owningbusinessunit', typeof bu === 'string' ? 'businessunit' : null, typeof bu === 'string' ? bu : null);
  Object.assign(rec, noteFileFields(rec));
  store.put('annotation', rec);
}
