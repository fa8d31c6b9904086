import { loadConfig } from '../../config/load-config';
import { ToolError } from '../../common/tool-error';
import { checkFilter } from '../query/filter-check';
import { build } from '../writes/payload/builder';
import type { TableSchema } from '../metadata/schema-format';
import { assertCursorInScope, linkedTables, viewWithinScope } from './cursor-scope';
import { hiddenNavigation, hiddenTarget, maskRecord, outsideScopeMessage, TableScope } from './table-scope';
import { parseXml } from '../query/xml';

const contact = (): TableSchema => ({
  logicalName: 'contact',
  entitySetName: 'contacts',
  primaryIdAttribute: 'contactid',
  primaryNameAttribute: 'fullname',
  isActivity: false,
  fields: [
    { name: 'contactid', type: 'guid', readOnly: true },
    { name: 'lastname', type: 'string(50)' },
    { name: 'parentcustomerid', type: 'customer', to: { account: 'parentcustomerid_account', contact: 'parentcustomerid_contact' } },
    { name: 'preferredsystemuserid', type: 'lookup', to: { systemuser: 'preferredsystemuserid' } },
  ],
  entitySets: { account: 'accounts', contact: 'contacts', systemuser: 'systemusers' },
});

describe('TableScope', () => {
  it('should apply the allow-list first and the exclusions after it when asked about a table', () => {
    const scope = new TableScope({ include: ['account', 'contact', 'lead'], exclude: ['lead'] });

    expect(['account', 'Contact', 'lead', 'opportunity'].map((t) => scope.allows(t))).toEqual([true, true, false, false]);
  });

  it('should allow every table but the excluded ones when only exclusions are set', () => {
    const scope = new TableScope({ exclude: ['payroll'] });

    expect([scope.active, scope.allows('account'), scope.allows('payroll')]).toEqual([true, true, false]);
  });

  it('should be inactive and allow everything when nothing is configured', () => {
    const scope = new TableScope(undefined);

    expect([scope.active, scope.allows('anything'), scope.describe()]).toEqual([false, true, undefined]);
  });

  it('should refuse plainly, naming only the table asked for, when a table is outside the scope', () => {
    const scope = new TableScope({ include: ['contact'], exclude: [] });

    let error: unknown;
    try {
      scope.assert('account');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toBe(outsideScopeMessage('account'));
    expect((error as ToolError).message).toContain(`Table "account" is outside this server's scope`);
  });

  it('should report configured names the environment does not list once, as a warning', () => {
    const scope = new TableScope({ include: ['contact', 'nosuch_table'], exclude: ['other_missing'] });
    const warn = jest.fn();

    scope.reportUnknown(['contact', 'account'], { warn });
    scope.reportUnknown(['contact', 'account'], { warn });

    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1]).toContain('nosuch_table, other_missing');
  });

  it('should cut out-of-scope lookup targets, their navigation and entity sets out of a schema and mark the field', () => {
    const scope = new TableScope({ include: ['contact'], exclude: [] });

    const view = scope.view(contact());
    const parent = view.fields.find((f) => f.name === 'parentcustomerid')!;
    const owner = view.fields.find((f) => f.name === 'preferredsystemuserid')!;

    expect(parent).toMatchObject({ to: { contact: 'parentcustomerid_contact' }, outsideScope: true });
    expect(owner).toMatchObject({ to: {}, outsideScope: true });
    expect(view.entitySets).toEqual({ contact: 'contacts' });
    expect(JSON.stringify(view)).not.toMatch(/account|"systemuser"|systemusers/);
    expect([hiddenTarget(parent, 'accounts'), hiddenNavigation(view, 'ParentCustomerId_Account')]).toEqual(['account', 'account']);
  });

  it('should hand out the schema unchanged when no scope is set', () => {
    const schema = contact();

    expect(new TableScope(undefined).view(schema)).toBe(schema);
  });

  it('should describe the scope for the banner', () => {
    expect(new TableScope({ include: ['account', 'contact'], exclude: ['lead'] }).describe()).toBe('only account, contact; excluding lead');
  });
});

describe('table scope configuration', () => {
  const base = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com' };

  it('should read both lists lower-cased, trimmed and without duplicates', () => {
    const config = loadConfig({ ...base, DATAVERSE_TABLES: ' Account, contact ,account', DATAVERSE_EXCLUDE_TABLES: 'Lead' });

    expect(config.tableScope).toEqual({ include: ['account', 'contact'], exclude: ['lead'] });
  });

  it('should leave the scope out when neither list is set', () => {
    expect(loadConfig({ ...base, DATAVERSE_TABLES: ' ' }).tableScope).toBeUndefined();
  });

  it('should refuse a list that is not logical names with a message that says what to write', () => {
    expect(() => loadConfig({ ...base, DATAVERSE_TABLES: 'account;contact' })).toThrow(/DATAVERSE_TABLES must be a comma-separated list/);
    expect(() => loadConfig({ ...base, DATAVERSE_EXCLUDE_TABLES: 'pay roll' })).toThrow(/DATAVERSE_EXCLUDE_TABLES must be/);
  });
});

describe('scope checks on the paths', () => {
  const scope = new TableScope({ include: ['contact'], exclude: [] });
  const message = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('should refuse a filter that navigates a lookup to an out-of-scope table', () => {
    const schema = scope.view(contact());

    expect(message(() => checkFilter("parentcustomerid_account/name eq 'x'", { schema, primaryNames: new Map() }))).toBe(
      outsideScopeMessage('account'),
    );
  });

  it('should refuse a collection navigation under a scope and accept an in-scope lookup navigation', () => {
    const schema = scope.view(contact());

    expect(message(() => checkFilter("contact_customer_accounts/any(a:a/name eq 'x')", { schema, primaryNames: new Map() }))).toMatch(
      /follow only lookups/,
    );
    expect(message(() => checkFilter("parentcustomerid_contact/fullname eq 'x'", { schema, primaryNames: new Map() }))).toBe('no error');
  });

  it('should refuse lookups written to an out-of-scope table in every form, and a lookup left with no table in scope', () => {
    const schema = scope.view(contact());
    const id = '00000000-0000-0000-0000-000000000001';
    const text = message(() =>
      build(
        {
          lastname: 'x',
          parentcustomerid: { table: 'account', id },
          'parentcustomerid_account@odata.bind': `/accounts(${id})`,
          preferredsystemuserid: id,
        },
        { schema, mode: 'create' },
      ),
    );

    expect(text.match(/outside this server's scope/g)?.length).toBe(3);
    expect(text).toContain('preferredsystemuserid points only to tables outside');
  });

  it('should list every entity and link-entity of a fetch', () => {
    const fetch = parseXml(
      '<fetch><entity name="contact"><link-entity name="account" from="accountid" to="parentcustomerid"><link-entity name="systemuser" from="systemuserid" to="ownerid"/></link-entity></entity></fetch>',
      { maxLength: 10000, maxDepth: 20, maxElements: 100 },
    );

    expect(linkedTables(fetch)).toEqual(['contact', 'account', 'systemuser']);
  });

  it('should refuse a cursor whose FetchXML links an out-of-scope table, and one whose filter navigates to it', async () => {
    const fetch = parseXml(
      '<fetch><entity name="contact"><link-entity name="account" from="accountid" to="parentcustomerid"/></entity></fetch>',
      {
        maxLength: 10000,
        maxDepth: 20,
        maxElements: 100,
      },
    );
    const metadata = { scope };
    const schema = () => Promise.resolve(scope.view(contact()));

    await expect(assertCursorInScope({ l: 'contacts', x: 'packed' }, schema, metadata, () => fetch)).rejects.toThrow(
      outsideScopeMessage('account'),
    );
    await expect(
      assertCursorInScope(
        { l: `contacts?$filter=${encodeURIComponent("parentcustomerid_account/name eq 'x'")}` },
        schema,
        metadata,
        () => fetch,
      ),
    ).rejects.toThrow(outsideScopeMessage('account'));
    await expect(assertCursorInScope({ l: "contacts?$filter=lastname eq 'x'" }, schema, metadata, () => fetch)).resolves.toBeUndefined();
  });
});

describe('maskRecord', () => {
  it('should keep the id of a lookup to an out-of-scope record but drop its table and name', () => {
    const scope = new TableScope({ include: ['contact'], exclude: [] });
    const record = {
      fullname: 'Jane',
      parentcustomerid: { id: 'a1', table: 'account', name: 'Contoso' },
      masterid: { id: 'c1', table: 'contact', name: 'Joe' },
    };

    expect(maskRecord(record, scope)).toEqual({
      fullname: 'Jane',
      parentcustomerid: { id: 'a1', outsideScope: true },
      masterid: { id: 'c1', table: 'contact', name: 'Joe' },
    });
    expect(maskRecord(record, new TableScope(undefined))).toBe(record);
  });
});

describe('viewWithinScope', () => {
  const limits = { maxLength: 10000, maxDepth: 20, maxElements: 100 };
  const scope = new TableScope({ include: ['account'], exclude: [] });

  it('should drop an outer link-entity to an out-of-scope table that only adds columns', () => {
    const fetch = parseXml(
      '<fetch><entity name="account"><attribute name="name"/><link-entity name="contact" alias="pc" from="contactid" to="primarycontactid" link-type="outer"><attribute name="emailaddress1"/></link-entity></entity></fetch>',
      limits,
    );

    expect(linkedTables(viewWithinScope(fetch, scope))).toEqual(['account']);
  });

  it('should refuse an inner link-entity, or an outer one a condition refers to, when its table is out of scope', () => {
    const inner = parseXml(
      '<fetch><entity name="account"><link-entity name="contact" from="contactid" to="primarycontactid"/></entity></fetch>',
      limits,
    );
    const referenced = parseXml(
      '<fetch><entity name="account"><link-entity name="contact" alias="pc" from="contactid" to="primarycontactid" link-type="outer"/><filter><condition entityname="pc" attribute="lastname" operator="not-null"/></filter></entity></fetch>',
      limits,
    );

    expect(() => viewWithinScope(inner, scope)).toThrow(outsideScopeMessage('contact'));
    expect(() => viewWithinScope(referenced, scope)).toThrow(outsideScopeMessage('contact'));
  });
});
