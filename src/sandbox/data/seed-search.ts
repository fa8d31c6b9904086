import { nameGuid } from '../metadata/registry';
import { Store, setLookup } from '../store';

/** A word only these two records carry, so a search across tables finds exactly an account and a project. */
export const SHARED_SEARCH_WORD = 'Halvorsen';
export const HALVORSEN_ACCOUNT_ID = nameGuid('sandbox:search:account');
export const HALVORSEN_PROJECT_ID = nameGuid('sandbox:search:project');

/**
 * An account and a custom-table (cr8a1_project) record that share a distinctive word. Copied from the first
 * generated record of each table so every system field is as consistent as the rest of the data.
 */
export function seedSearchSamples(store: Store): void {
  const account = store.rowsByKey('account')[0];
  const project = store.rowsByKey('cr8a1_project')[0];
  if (!account || !project) return;
  const acct = {
    ...structuredClone(account),
    accountid: HALVORSEN_ACCOUNT_ID,
    name: `${SHARED_SEARCH_WORD} Maritime AS`,
    accountnumber: 'ACC-90001',
    emailaddress1: 'post@halvorsen-maritime.example.com',
    websiteurl: 'https://www.halvorsen-maritime.example.com',
    description: 'Ship repair yard on the west coast; framework agreement renewed yearly.',
    address1_city: 'Bergen',
    address1_country: 'Norway',
    address1_composite: 'Bergen, Norway',
    statecode: 0,
    statuscode: 1,
  };
  setLookup(acct, 'parentaccountid', null, null);
  setLookup(acct, 'primarycontactid', null, null);
  store.put('account', acct);
  const rec = {
    ...structuredClone(project),
    cr8a1_projectid: HALVORSEN_PROJECT_ID,
    cr8a1_name: `${SHARED_SEARCH_WORD} dry dock crane retrofit`,
    cr8a1_code: 'PRJ-9001',
    cr8a1_description: 'Replace the control systems of two dock cranes.',
    statecode: 0,
    statuscode: 1,
  };
  setLookup(rec, 'cr8a1_accountid', 'account', HALVORSEN_ACCOUNT_ID);
  store.put('cr8a1_project', rec);
}
