import { startEmulator } from './index';
import { ANNOTATIONS, call } from './spec-support';
import { EmulatorHandle } from './types';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Dataverse emulator: identity, metadata and queries', () => {
  let em: EmulatorHandle;
  beforeAll(async () => {
    em = await startEmulator();
  });
  afterAll(async () => {
    await em.close();
  });

  describe('identity', () => {
    it('should answer WhoAmI with the sandbox user when called with a sandbox token', async () => {
      const r = await call(em, 'WhoAmI');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
      expect(r.headers.get('odata-version')).toBe('4.0');
      expect(r.headers.get('req_id')).toMatch(GUID);
      expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`);
      expect(r.json.UserId).toBe(em.sandboxUserId);
      expect(r.json.BusinessUnitId).toMatch(GUID);
      expect(r.json.OrganizationId).toMatch(GUID);
    });

    it('should return the full name, etag and key when reading the user with $select', async () => {
      const r = await call(em, `systemusers(${em.sandboxUserId})?$select=fullname`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        '@odata.context': `${em.apiUrl}$metadata#systemusers(fullname)/$entity`,
        '@odata.etag': expect.stringMatching(/^W\/"\d+"$/),
        fullname: 'Sandbox User',
        systemuserid: em.sandboxUserId,
      });
    });

    it('should resolve the time zone chain when reading user settings and time zone definitions', async () => {
      const s = await call(em, `usersettingscollection(${em.sandboxUserId})?$select=timezonecode`);
      expect(s.json.timezonecode).toBe(110);
      const tz = await call(
        em,
        `timezonedefinitions?$select=standardname,userinterfacename&$filter=timezonecode eq ${s.json.timezonecode}`,
      );
      expect(tz.json.value).toHaveLength(1);
      expect(tz.json.value[0].standardname).toBe('W. Europe Standard Time');
      for (const [code, name] of [
        [85, 'GMT Standard Time'],
        [35, 'Eastern Standard Time'],
        [4, 'Pacific Standard Time'],
        [20, 'Central Standard Time'],
        [190, 'India Standard Time'],
        [235, 'Tokyo Standard Time'],
        [255, 'AUS Eastern Standard Time'],
        [92, 'UTC'],
      ] as const) {
        const z = await call(em, `timezonedefinitions?$select=standardname&$filter=timezonecode eq ${code}`);
        expect(z.json.value[0].standardname).toBe(name);
      }
    });

    it('should answer 401 with WWW-Authenticate and an empty body when the token is missing or unknown', async () => {
      for (const token of [null, 'not-a-token']) {
        const r = await call(em, 'WhoAmI', { token });
        expect(r.status).toBe(401);
        expect(r.text).toBe('');
        expect(r.headers.get('www-authenticate')).toMatch(
          new RegExp(
            `^Bearer authorization_uri=https://login\\.microsoftonline\\.com/[0-9a-f-]{36}/oauth2/authorize, resource_id=${em.url.replace(/\./g, '\\.')}/$`,
          ),
        );
      }
    });

    it('should reject a token when it has been revoked', async () => {
      const t = em.issueToken();
      expect((await call(em, 'WhoAmI', { token: t })).status).toBe(200);
      em.revokeToken(t);
      expect((await call(em, 'WhoAmI', { token: t })).status).toBe(401);
    });
  });

  describe('metadata', () => {
    it('should list tables with MetadataId when filtered on the advanced-find flags', async () => {
      const r = await call(
        em,
        'EntityDefinitions?$select=LogicalName,DisplayName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute&$filter=IsPrivate eq false and IsIntersect eq false and IsValidForAdvancedFind eq true',
      );
      expect(r.status).toBe(200);
      const names = r.json.value.map((e: any) => e.LogicalName);
      expect(names).toEqual(
        expect.arrayContaining([
          'account',
          'contact',
          'lead',
          'opportunity',
          'appointment',
          'task',
          'email',
          'phonecall',
          'systemuser',
          'team',
          'businessunit',
          'cr8a1_project',
        ]),
      );
      expect(names).not.toContain('activityparty');
      const account = r.json.value.find((e: any) => e.LogicalName === 'account');
      expect(account).toEqual({
        MetadataId: expect.stringMatching(GUID),
        LogicalName: 'account',
        EntitySetName: 'accounts',
        PrimaryIdAttribute: 'accountid',
        PrimaryNameAttribute: 'name',
        DisplayName: {
          LocalizedLabels: [expect.objectContaining({ Label: 'Account', LanguageCode: 1033 })],
          UserLocalizedLabel: expect.objectContaining({ Label: 'Account', LanguageCode: 1033 }),
        },
      });
      expect(r.json['@odata.nextLink']).toBeUndefined();
    });

    it('should filter tables by LogicalName, EntitySetName and typed enum literals', async () => {
      const a = await call(em, "EntityDefinitions?$select=LogicalName&$filter=LogicalName eq 'cr8a1_project'");
      expect(a.json.value.map((e: any) => e.LogicalName)).toEqual(['cr8a1_project']);
      const b = await call(em, "EntityDefinitions?$select=LogicalName&$filter=EntitySetName eq 'opportunities'");
      expect(b.json.value.map((e: any) => e.LogicalName)).toEqual(['opportunity']);
      const c = await call(
        em,
        "EntityDefinitions?$select=LogicalName&$filter=OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'OrganizationOwned'",
      );
      expect(c.json.value.map((e: any) => e.LogicalName)).toContain('transactioncurrency');
      const d = await call(em, "EntityDefinitions?$select=LogicalName&$filter=OwnershipType eq 'UserOwned'");
      expect(d.status).toBe(400);
    });

    it('should return one table as the object itself when addressed by LogicalName', async () => {
      const r = await call(
        em,
        "EntityDefinitions(LogicalName='appointment')?$select=LogicalName,PrimaryIdAttribute,PrimaryNameAttribute,EntitySetName,LogicalCollectionName,IsActivity,DisplayName,DisplayCollectionName,OwnershipType",
      );
      expect(r.status).toBe(200);
      expect(r.json['@odata.context']).toMatch(/#EntityDefinitions\(.*\)\/\$entity$/);
      expect(r.json).toMatchObject({
        LogicalName: 'appointment',
        PrimaryIdAttribute: 'activityid',
        PrimaryNameAttribute: 'subject',
        EntitySetName: 'appointments',
        IsActivity: true,
        OwnershipType: 'UserOwned',
      });
      expect(r.json.DisplayCollectionName.UserLocalizedLabel.Label).toBe('Appointments');
      const missing = await call(em, "EntityDefinitions(LogicalName='nope')");
      expect(missing.status).toBe(404);
    });

    it('should list more than 100 attributes with @odata.type and RequiredLevel when reading account and contact attributes', async () => {
      for (const table of ['account', 'contact']) {
        const r = await call(
          em,
          `EntityDefinitions(LogicalName='${table}')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName,RequiredLevel,IsValidForCreate,IsValidForUpdate,DisplayName`,
        );
        expect(r.status).toBe(200);
        expect(r.json.value.length).toBeGreaterThanOrEqual(100);
        for (const a of r.json.value) expect(a['@odata.type']).toMatch(/^#Microsoft\.Dynamics\.CRM\.\w+AttributeMetadata$/);
      }
      const c = await call(
        em,
        "EntityDefinitions(LogicalName='contact')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName,RequiredLevel,IsValidForCreate,IsValidForUpdate",
      );
      const byName = Object.fromEntries(c.json.value.map((a: any) => [a.LogicalName, a]));
      expect(byName.firstname).toMatchObject({
        '@odata.type': '#Microsoft.Dynamics.CRM.StringAttributeMetadata',
        AttributeType: 'String',
        AttributeTypeName: { Value: 'StringType' },
        IsValidForCreate: true,
        IsValidForUpdate: true,
      });
      expect(byName.lastname.RequiredLevel).toEqual({
        Value: 'ApplicationRequired',
        CanBeChanged: true,
        ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
      });
      expect(byName.createdon).toMatchObject({ IsValidForCreate: false, IsValidForUpdate: false, AttributeType: 'DateTime' });
      expect(byName.parentcustomerid).toMatchObject({
        AttributeType: 'Customer',
        '@odata.type': '#Microsoft.Dynamics.CRM.LookupAttributeMetadata',
      });
      expect(byName.ownerid.AttributeType).toBe('Owner');
      const unknown = await call(em, "EntityDefinitions(LogicalName='contact')/Attributes?$select=LogicalName,MaxLength");
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.code).toBe('0x80060888');
    });

    it('should return options with labels when casting to PicklistAttributeMetadata with the option set expands', async () => {
      const r = await call(
        em,
        "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)",
      );
      expect(r.status).toBe(200);
      const industry = r.json.value.find((a: any) => a.LogicalName === 'industrycode');
      expect(industry.GlobalOptionSet).toBeNull();
      expect(industry.OptionSet.Options).toContainEqual(
        expect.objectContaining({
          Value: 7,
          Label: expect.objectContaining({ UserLocalizedLabel: expect.objectContaining({ Label: 'Consulting' }) }),
        }),
      );
      const ctype = r.json.value.find((a: any) => a.LogicalName === 'customertypecode');
      expect(ctype.OptionSet.Options.map((o: any) => o.Label.UserLocalizedLabel.Label)).toContain('Customer');
    });

    it('should return state and status options when casting to StateAttributeMetadata and StatusAttributeMetadata', async () => {
      const s = await call(
        em,
        "EntityDefinitions(LogicalName='opportunity')/Attributes/Microsoft.Dynamics.CRM.StateAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
      );
      expect(s.json.value[0].OptionSet.Options.map((o: any) => [o.Value, o.Label.UserLocalizedLabel.Label])).toEqual([
        [0, 'Open'],
        [1, 'Won'],
        [2, 'Lost'],
      ]);
      const st = await call(
        em,
        "EntityDefinitions(LogicalName='opportunity')/Attributes/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
      );
      expect(st.json.value[0].OptionSet.Options).toContainEqual(expect.objectContaining({ Value: 3, State: 1 }));
    });

    it('should refuse the cast when it targets the abstract EnumAttributeMetadata', async () => {
      const r = await call(
        em,
        "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.EnumAttributeMetadata?$select=LogicalName",
      );
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('0x80060888');
    });

    it('should return Targets and MaxLength when casting to lookup and string metadata', async () => {
      const l = await call(
        em,
        "EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets",
      );
      expect(l.json.value).toContainEqual(expect.objectContaining({ LogicalName: 'parentcustomerid', Targets: ['account', 'contact'] }));
      const s = await call(
        em,
        "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,MaxLength",
      );
      expect(s.json.value).toContainEqual(expect.objectContaining({ LogicalName: 'name', MaxLength: 160 }));
    });

    it('should expose exact navigation names when reading many-to-one relationships', async () => {
      const r = await call(
        em,
        "EntityDefinitions(LogicalName='cr8a1_project')/ManyToOneRelationships?$select=SchemaName,ReferencingAttribute,ReferencedEntity,ReferencingEntityNavigationPropertyName",
      );
      expect(r.json.value).toContainEqual(
        expect.objectContaining({
          ReferencingAttribute: 'cr8a1_accountid',
          ReferencedEntity: 'account',
          ReferencingEntityNavigationPropertyName: 'cr8a1_AccountId',
        }),
      );
      const c = await call(
        em,
        "EntityDefinitions(LogicalName='contact')/ManyToOneRelationships?$select=ReferencingAttribute,ReferencingEntityNavigationPropertyName&$filter=ReferencingAttribute eq 'parentcustomerid'",
      );
      expect(c.json.value.map((x: any) => x.ReferencingEntityNavigationPropertyName).sort()).toEqual([
        'parentcustomerid_account',
        'parentcustomerid_contact',
      ]);
    });

    it('should report the cascade configuration when reading one-to-many relationships', async () => {
      const r = await call(
        em,
        "EntityDefinitions(LogicalName='account')/OneToManyRelationships?$select=SchemaName,ReferencingEntity,ReferencingAttribute,CascadeConfiguration",
      );
      const bySchema = Object.fromEntries(r.json.value.map((x: any) => [x.SchemaName, x]));
      expect(bySchema.contact_customer_accounts.CascadeConfiguration.Delete).toBe('Cascade');
      expect(bySchema.account_parent_account.CascadeConfiguration.Delete).toBe('RemoveLink');
      expect(bySchema.cr8a1_account_cr8a1_project_AccountId.CascadeConfiguration.Delete).toBe('Restrict');
      expect(bySchema.Account_Appointments).toMatchObject({ ReferencingEntity: 'appointment', ReferencingAttribute: 'regardingobjectid' });
    });
  });

  describe('records', () => {
    it('should return the primary key, lookups as _x_value and an etag when selecting columns', async () => {
      const r = await call(em, 'contacts?$select=fullname,_parentcustomerid_value&$top=3');
      expect(r.status).toBe(200);
      expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#contacts(fullname,_parentcustomerid_value)`);
      expect(r.json.value).toHaveLength(3);
      for (const c of r.json.value) {
        expect(Object.keys(c)).toEqual(['@odata.etag', 'fullname', '_parentcustomerid_value', 'contactid']);
        expect(c['@odata.etag']).toMatch(/^W\/"\d+"$/);
      }
    });

    it('should answer 400 0x80060888 when $select names an unknown property', async () => {
      const r = await call(em, 'contacts?$select=Name');
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        error: { code: '0x80060888', message: "Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.contact'." },
      });
      const lookupByName = await call(em, 'contacts?$select=parentcustomerid');
      expect(lookupByName.status).toBe(400);
    });

    it('should answer 404 0x8006088a when the entity set is unknown', async () => {
      const r = await call(em, 'Account?$select=name');
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ error: { code: '0x8006088a', message: "Resource not found for the segment 'Account'." } });
    });

    it('should answer 404 0x80040217 when the record does not exist', async () => {
      const id = '00000000-0000-0000-0000-000000000001';
      const r = await call(em, `accounts(${id})?$select=name`);
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ error: { code: '0x80040217', message: `account With Id = ${id} Does Not Exist` } });
    });

    it('should return a single record with /$entity context when reading by id', async () => {
      const list = await call(em, 'accounts?$select=name&$top=1');
      const id = list.json.value[0].accountid;
      const r = await call(em, `accounts(${id})?$select=name,revenue`);
      expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#accounts(name,revenue)/$entity`);
      expect(r.json.accountid).toBe(id);
    });

    it('should count as text/plain when GET $count is used', async () => {
      const r = await call(em, 'accounts/$count');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(r.text).toBe(String(em.store.count('accounts')));
      expect(em.store.count('accounts')).toBeGreaterThanOrEqual(300);
    });

    it('should include @odata.count capped at 5000 when $count=true', async () => {
      const r = await call(em, 'contacts?$select=fullname&$count=true&$top=1');
      expect(r.json['@odata.count']).toBe(em.store.count('contacts'));
      expect(r.json.value).toHaveLength(1);
    });

    it('should order by several keys when $orderby lists them with directions', async () => {
      const r = await call(em, 'contacts?$select=lastname,firstname&$orderby=lastname desc,firstname asc&$top=200');
      const rows = r.json.value.map((c: any) => [c.lastname.toLowerCase(), c.firstname.toLowerCase()]);
      for (let i = 1; i < rows.length; i++) {
        const [l0, f0] = rows[i - 1];
        const [l1, f1] = rows[i];
        expect(l0 > l1 || (l0 === l1 && f0 <= f1)).toBe(true);
      }
    });

    it('should expand a single-valued navigation property with $select', async () => {
      const r = await call(
        em,
        'contacts?$select=fullname&$filter=_parentcustomerid_value ne null&$expand=parentcustomerid_account($select=name)&$top=5',
      );
      expect(r.json['@odata.context']).toBe(`${em.apiUrl}$metadata#contacts(fullname,parentcustomerid_account(name))`);
      for (const c of r.json.value) {
        expect(c.parentcustomerid_account).toEqual({
          '@odata.etag': expect.any(String),
          name: expect.any(String),
          accountid: expect.stringMatching(GUID),
        });
      }
    });

    it('should answer 400 when $skip is used', async () => {
      const r = await call(em, 'accounts?$select=name&$skip=10');
      expect(r.status).toBe(400);
      expect(r.json.error.message).toMatch(/\$skip is not supported/);
    });

    it('should page through every record exactly once when following nextLink with maxpagesize', async () => {
      const seen: string[] = [];
      let next: string | undefined = 'contacts?$select=fullname&$orderby=lastname asc&$count=true';
      let pages = 0;
      let first: any;
      while (next) {
        const r = await call(em, next, { headers: { Prefer: 'odata.maxpagesize=97' } });
        expect(r.status).toBe(200);
        expect(r.headers.get('preference-applied')).toBe('odata.maxpagesize=97');
        first ??= r.json;
        seen.push(...r.json.value.map((c: any) => c.contactid));
        next = r.json['@odata.nextLink'];
        if (next) {
          expect(
            next.startsWith(
              `${em.apiUrl}contacts?$select=fullname&$orderby=lastname%20asc&$count=true&$skiptoken=%3Ccookie%20pagenumber=%22`,
            ) ||
              next.startsWith(
                `${em.apiUrl}contacts?$select=fullname&$orderby=lastname asc&$count=true&$skiptoken=%3Ccookie%20pagenumber=%22`,
              ),
          ).toBe(true);
        }
        pages++;
      }
      expect(first['@odata.count']).toBe(em.store.count('contacts'));
      expect(pages).toBe(Math.ceil(em.store.count('contacts') / 97));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(em.store.count('contacts'));
    });

    it('should ignore $top when odata.maxpagesize is also sent', async () => {
      const r = await call(em, 'accounts?$select=name&$top=3', { headers: { Prefer: 'odata.maxpagesize=10' } });
      expect(r.json.value).toHaveLength(10);
      expect(r.json['@odata.nextLink']).toContain('$skiptoken=');
      const plain = await call(em, 'accounts?$select=name&$top=3');
      expect(plain.json.value).toHaveLength(3);
      expect(plain.json['@odata.nextLink']).toBeUndefined();
    });
  });

  describe('annotations', () => {
    it('should precede each property with its formatted value when include-annotations is *', async () => {
      const r = await call(
        em,
        'accounts?$select=name,revenue,industrycode,statecode,statuscode,_ownerid_value,createdon,creditonhold,numberofemployees&$filter=revenue ne null and industrycode ne null and numberofemployees ne null&$top=1',
        { headers: ANNOTATIONS },
      );
      expect(r.headers.get('preference-applied')).toBe('odata.include-annotations="*"');
      const a = r.json.value[0];
      const keys = Object.keys(a);
      expect(keys.indexOf('revenue@OData.Community.Display.V1.FormattedValue')).toBe(keys.indexOf('revenue') - 1);
      expect(a['revenue@OData.Community.Display.V1.FormattedValue']).toBe(
        `$${a.revenue.toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
      );
      expect(a['statecode@OData.Community.Display.V1.FormattedValue']).toMatch(/^(Active|Inactive)$/);
      expect(typeof a['industrycode@OData.Community.Display.V1.FormattedValue']).toBe('string');
      expect(a['creditonhold@OData.Community.Display.V1.FormattedValue']).toMatch(/^(Yes|No)$/);
      expect(a['createdon@OData.Community.Display.V1.FormattedValue']).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/);
      expect(a['numberofemployees@OData.Community.Display.V1.FormattedValue']).toBe(a.numberofemployees.toLocaleString('en-US'));
      const lk = keys.indexOf('_ownerid_value');
      expect(keys.slice(lk - 3, lk)).toEqual([
        '_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty',
        '_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname',
        '_ownerid_value@OData.Community.Display.V1.FormattedValue',
      ]);
      expect(a['_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('ownerid');
      expect(['systemuser', 'team']).toContain(a['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']);
    });

    it('should name the typed navigation property when a customer lookup is annotated', async () => {
      const r = await call(em, 'contacts?$select=_parentcustomerid_value&$filter=_parentcustomerid_value ne null&$top=1', {
        headers: ANNOTATIONS,
      });
      const c = r.json.value[0];
      expect(c['_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('parentcustomerid_account');
      const acct = await call(em, `accounts(${c._parentcustomerid_value})?$select=name`);
      expect(c['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBe(acct.json.name);
    });

    it('should omit lookup annotations when the lookup is null and honour an annotation list', async () => {
      const r = await call(em, 'contacts?$select=_parentcustomerid_value,statecode&$filter=_parentcustomerid_value eq null&$top=1', {
        headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
      });
      const c = r.json.value[0];
      expect(Object.keys(c).filter((k) => k.startsWith('_parentcustomerid_value@'))).toEqual([]);
      expect(c['statecode@OData.Community.Display.V1.FormattedValue']).toBe('Active');
      const withLookup = await call(em, 'contacts?$select=_parentcustomerid_value&$filter=_parentcustomerid_value ne null&$top=1', {
        headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
      });
      expect(Object.keys(withLookup.json.value[0]).filter((k) => k.includes('@Microsoft.Dynamics.CRM'))).toEqual([]);
    });

    it('should return no annotations when include-annotations is not requested', async () => {
      const r = await call(em, 'accounts?$select=name,revenue&$top=1');
      expect(Object.keys(r.json.value[0]).filter((k) => k.includes('@') && k !== '@odata.etag')).toEqual([]);
    });
  });
});
