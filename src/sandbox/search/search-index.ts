import { EntityModel, Model } from '../metadata/registry';

/**
 * Which tables the emulator's Dataverse search indexes, and on which columns (the primary name first,
 * then a few text columns, as a Quick Find view would list them). Other tables are not searchable.
 */
export const SEARCH_COLUMNS: Record<string, string[]> = {
  account: ['name', 'accountnumber', 'emailaddress1', 'telephone1', 'address1_city'],
  contact: ['fullname', 'emailaddress1', 'telephone1', 'jobtitle'],
  lead: ['fullname', 'companyname', 'subject', 'emailaddress1'],
  opportunity: ['name'],
  cr8a1_project: ['cr8a1_name', 'cr8a1_code', 'cr8a1_description'],
  appointment: ['subject'],
  task: ['subject'],
  phonecall: ['subject'],
  email: ['subject'],
};

export interface IndexedTable {
  em: EntityModel;
  primaryName: string;
  columns: string[];
}

/** The indexed tables of a model, in a stable order. */
export function indexedTables(model: Model): IndexedTable[] {
  const out: IndexedTable[] = [];
  for (const [name, columns] of Object.entries(SEARCH_COLUMNS)) {
    const em = model.entities.get(name);
    if (!em || !em.def.primaryNameAttribute) continue;
    out.push({ em, primaryName: em.def.primaryNameAttribute, columns: columns.filter((c) => em.props.has(c)) });
  }
  return out;
}

/** Whether Dataverse search is turned on for the emulated organization (an emulator option, changeable at run time). */
export class SearchSettings {
  constructor(public enabled = true) {}
}
