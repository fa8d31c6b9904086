import { ToolError } from '../../common/tool-error';
import { buildPayload, needsPartySchema, parseOptions, suggestFieldNames, type WriteMode } from './record-payload';
import type { TableSchema } from '../metadata/schema-format';

const ACCOUNT_ID = '11111111-1111-1111-1111-111111111111';
const CONTACT_ID = '22222222-2222-2222-2222-222222222222';
const USER_ID = '33333333-3333-3333-3333-333333333333';

/** Fixtures in the shape MetadataService builds (compact SchemaField list). */
const contact: TableSchema = {
  logicalName: 'contact',
  entitySetName: 'contacts',
  primaryIdAttribute: 'contactid',
  primaryNameAttribute: 'fullname',
  isActivity: false,
  entitySets: { account: 'accounts', contact: 'contacts', systemuser: 'systemusers', team: 'teams' },
  fields: [
    { name: 'contactid', type: 'guid', createOnly: true },
    { name: 'fullname', type: 'string(160)', readOnly: true },
    { name: 'firstname', type: 'string(50)', label: 'First Name' },
    { name: 'lastname', type: 'string(50)', required: 'yes' },
    { name: 'emailaddress1', type: 'string(100)', label: 'Email' },
    { name: 'birthdate', type: 'date' },
    { name: 'lastusedincampaign', type: 'datetime' },
    { name: 'numberofchildren', type: 'int' },
    { name: 'creditlimit', type: 'money' },
    { name: 'donotemail', type: 'bool', label: 'Do not allow Emails' },
    { name: 'preferredcontactmethodcode', type: 'choice', options: '1=Any|2=Email|3=Phone|4=Fax|5=Mail' },
    { name: 'cr8a1_interests', type: 'choices', options: '1=Golf|2=Sailing|3=Chess' },
    { name: 'statecode', type: 'state', updateOnly: true, options: '0=Active|1=Inactive' },
    { name: 'statuscode', type: 'status', options: '1=Active (state 0)|2=Inactive (state 1)' },
    {
      name: 'parentcustomerid',
      type: 'customer',
      label: 'Company Name',
      to: { account: 'parentcustomerid_account', contact: 'parentcustomerid_contact' },
    },
    { name: 'ownerid', type: 'owner', to: { systemuser: 'ownerid', team: 'ownerid' } },
    { name: 'createdon', type: 'datetime', readOnly: true },
    { name: 'importsequencenumber', type: 'int', createOnly: true },
  ],
};

const project: TableSchema = {
  logicalName: 'cr8a1_project',
  entitySetName: 'cr8a1_projects',
  primaryIdAttribute: 'cr8a1_projectid',
  primaryNameAttribute: 'cr8a1_name',
  isActivity: false,
  entitySets: { account: 'accounts', systemuser: 'systemusers' },
  fields: [
    { name: 'cr8a1_projectid', type: 'guid', createOnly: true },
    { name: 'cr8a1_name', type: 'string(100)', required: 'yes' },
    { name: 'cr8a1_accountid', type: 'lookup', required: 'yes', to: { account: 'cr8a1_AccountId' } },
    { name: 'cr8a1_projectmanagerid', type: 'lookup', to: { systemuser: 'cr8a1_ProjectManagerId' } },
    { name: 'cr8a1_stage', type: 'choice', required: 'yes', options: '100000000=Planning|100000001=In Progress|100000002=On Hold' },
    { name: 'cr8a1_budget', type: 'money' },
    { name: 'cr8a1_percentcomplete', type: 'int' },
  ],
};

const appointment: TableSchema = {
  logicalName: 'appointment',
  entitySetName: 'appointments',
  primaryIdAttribute: 'activityid',
  primaryNameAttribute: 'subject',
  isActivity: true,
  entitySets: { account: 'accounts', contact: 'contacts' },
  fields: [
    { name: 'activityid', type: 'guid', createOnly: true },
    { name: 'subject', type: 'string(200)', required: 'yes' },
    { name: 'scheduledstart', type: 'datetime' },
    { name: 'scheduledend', type: 'datetime' },
    { name: 'location', type: 'string(200)' },
    { name: 'requiredattendees', type: 'partylist' },
    {
      name: 'regardingobjectid',
      type: 'lookup',
      to: { account: 'regardingobjectid_account_appointment', contact: 'regardingobjectid_contact_appointment' },
    },
  ],
};

const activityparty: TableSchema = {
  logicalName: 'activityparty',
  entitySetName: 'activityparties',
  primaryIdAttribute: 'activitypartyid',
  isActivity: false,
  entitySets: { account: 'accounts', contact: 'contacts', lead: 'leads', systemuser: 'systemusers' },
  fields: [
    {
      name: 'partyid',
      type: 'lookup',
      to: { account: 'partyid_account', contact: 'partyid_contact', lead: 'partyid_lead', systemuser: 'partyid_systemuser' },
    },
    { name: 'participationtypemask', type: 'choice', options: '1=Sender|2=To Recipient|5=Required attendee|7=Organizer' },
  ],
};

const build = (schema: TableSchema, data: unknown, mode: WriteMode = 'create') =>
  buildPayload(data, { schema, mode, partySchema: activityparty });

function problem(schema: TableSchema, data: unknown, mode: WriteMode = 'create'): string {
  try {
    build(schema, data, mode);
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).kind).toBe('invalid_input');
    return (error as ToolError).message;
  }
  throw new Error('expected a ToolError');
}

describe('buildPayload', () => {
  describe('field names and validity', () => {
    it('should name the unknown field and the nearest valid names when a field does not exist', () => {
      const msg = problem(contact, { lastname: 'Doe', emailadress1: 'x@y.z' });
      expect(msg).toMatch(/Field "emailadress1" does not exist on contact\. Did you mean "emailaddress1"/);
      expect(msg).toMatch(/^Nothing was created/);
    });

    it('should suggest by substring and by display label when the name is far off', () => {
      expect(suggestFieldNames('email', contact.fields)).toContain('emailaddress1');
      expect(suggestFieldNames('First Name', contact.fields)).toContain('firstname');
      expect(suggestFieldNames('zzzzzzzz', contact.fields)).toEqual([]);
    });

    it('should report every problem at once when several fields are wrong', () => {
      const msg = problem(contact, { lastname: 'Doe', foo: 1, createdon: '2024-01-01T00:00:00Z', numberofchildren: 'many' });
      expect(msg).toMatch(/3 problems/);
      expect(msg).toMatch(/- Field "foo" does not exist/);
      expect(msg).toMatch(/- createdon is read-only/);
      expect(msg).toMatch(/- numberofchildren is a number/);
    });

    it('should refuse update-only fields on create and create-only fields on update', () => {
      expect(problem(contact, { lastname: 'Doe', statecode: 1 })).toMatch(
        /statecode cannot be set when creating a record, only changed by update_record/,
      );
      expect(problem(contact, { importsequencenumber: 3 }, 'update')).toMatch(
        /importsequencenumber can only be set when the record is created/,
      );
      expect(build(contact, { statecode: 'Inactive' }, 'update').body).toEqual({ statecode: 1 });
      expect(build(contact, { lastname: 'Doe', importsequencenumber: 3 }).body).toMatchObject({ importsequencenumber: 3 });
    });

    it('should ask for required fields when creating without them, but not when updating', () => {
      expect(problem(contact, { firstname: 'Jane' })).toMatch(
        /contact needs lastname \(string\(50\)\) when a record is created; ask the user/,
      );
      expect(build(contact, { firstname: 'Jane' }, 'update').body).toEqual({ firstname: 'Jane' });
    });

    it('should count a required lookup given as a raw bind as set when creating', () => {
      const { body, fields } = build(project, {
        cr8a1_name: 'Rollout',
        'cr8a1_accountid@odata.bind': `/accounts(${ACCOUNT_ID})`,
        cr8a1_stage: 'planning',
      });
      expect(body).toEqual({ cr8a1_name: 'Rollout', 'cr8a1_AccountId@odata.bind': `/accounts(${ACCOUNT_ID})`, cr8a1_stage: 100000000 });
      expect(fields.sort()).toEqual(['cr8a1_accountid', 'cr8a1_name', 'cr8a1_stage']);
    });

    it('should refuse empty data and non-objects', () => {
      expect(() => build(contact, {})).toThrow(/data is empty/);
      expect(() => build(contact, [1])).toThrow(/data must be a JSON object/);
    });

    it('should refuse a field set twice through two forms', () => {
      expect(
        problem(
          contact,
          { parentcustomerid: { table: 'account', id: ACCOUNT_ID }, 'parentcustomerid_account@odata.bind': `/accounts(${ACCOUNT_ID})` },
          'update',
        ),
      ).toMatch(/parentcustomerid is set twice/);
    });
  });

  describe('lookups', () => {
    it('should turn {table, id} into the exact navigation property and entity set', () => {
      expect(build(contact, { lastname: 'Doe', parentcustomerid: { table: 'account', id: ACCOUNT_ID.toUpperCase() } }).body).toEqual({
        lastname: 'Doe',
        'parentcustomerid_account@odata.bind': `/accounts(${ACCOUNT_ID})`,
      });
      expect(build(contact, { parentcustomerid: { table: 'contacts', id: CONTACT_ID } }, 'update').body).toEqual({
        'parentcustomerid_contact@odata.bind': `/contacts(${CONTACT_ID})`,
      });
    });

    it('should keep the mixed case of custom navigation names when the lookup has one target', () => {
      expect(build(project, { cr8a1_accountid: { id: ACCOUNT_ID } }, 'update').body).toEqual({
        'cr8a1_AccountId@odata.bind': `/accounts(${ACCOUNT_ID})`,
      });
      expect(build(project, { cr8a1_projectmanagerid: USER_ID }, 'update').body).toEqual({
        'cr8a1_ProjectManagerId@odata.bind': `/systemusers(${USER_ID})`,
      });
      expect(build(project, { _cr8a1_accountid_value: ACCOUNT_ID }, 'update').body).toEqual({
        'cr8a1_AccountId@odata.bind': `/accounts(${ACCOUNT_ID})`,
      });
    });

    it('should ask which table when a bare GUID is given for a lookup with several targets', () => {
      expect(problem(contact, { parentcustomerid: ACCOUNT_ID }, 'update')).toMatch(
        /parentcustomerid can point to account or contact: say which/,
      );
    });

    it('should refuse a table the lookup cannot point to and a malformed id', () => {
      expect(problem(contact, { parentcustomerid: { table: 'lead', id: ACCOUNT_ID } }, 'update')).toMatch(
        /cannot point to "lead"; it can point to account or contact/,
      );
      expect(problem(contact, { parentcustomerid: { table: 'account', id: 'Contoso' } }, 'update')).toMatch(/"id" must be the GUID/);
      expect(problem(contact, { parentcustomerid: 'Contoso' }, 'update')).toMatch(/parentcustomerid is a lookup/);
    });

    it('should clear a lookup with null on update and leave it out on create', () => {
      expect(build(contact, { parentcustomerid: null }, 'update').body).toEqual({ 'parentcustomerid_account@odata.bind': null });
      expect(build(contact, { lastname: 'Doe', parentcustomerid: null }).body).toEqual({ lastname: 'Doe' });
    });

    it('should bind owners to systemusers or teams through the same navigation property', () => {
      expect(build(contact, { ownerid: { table: 'team', id: USER_ID } }, 'update').body).toEqual({
        'ownerid@odata.bind': `/teams(${USER_ID})`,
      });
      expect(build(contact, { 'OwnerId@odata.bind': `/systemusers(${USER_ID})` }, 'update').body).toEqual({
        'ownerid@odata.bind': `/systemusers(${USER_ID})`,
      });
    });

    it('should rewrite a raw bind to the exact navigation case and normalise its path', () => {
      expect(build(project, { 'cr8a1_accountid@odata.bind': `accounts({${ACCOUNT_ID.toUpperCase()}})` }, 'update').body).toEqual({
        'cr8a1_AccountId@odata.bind': `/accounts(${ACCOUNT_ID})`,
      });
      expect(
        build(
          contact,
          { 'PARENTCUSTOMERID_ACCOUNT@odata.bind': `https://org.crm.dynamics.com/api/data/v9.2/Accounts(${ACCOUNT_ID})` },
          'update',
        ).body,
      ).toEqual({
        'parentcustomerid_account@odata.bind': `/accounts(${ACCOUNT_ID})`,
      });
    });

    it('should say which navigation to use when a raw bind points at the wrong table', () => {
      expect(problem(contact, { 'parentcustomerid_account@odata.bind': `/contacts(${CONTACT_ID})` }, 'update')).toMatch(
        /points to account records \(\/accounts\(\.\.\.\)\), not .*For a contact use "parentcustomerid_contact@odata.bind"/,
      );
      expect(problem(contact, { 'parentcustomerid_account@odata.bind': 'Contoso' }, 'update')).toMatch(
        /must be a path like "\/accounts\(<guid>\)"/,
      );
    });

    it('should name the navigation properties when a bind uses the attribute name or a misspelling', () => {
      expect(problem(contact, { 'parentcustomerid@odata.bind': `/accounts(${ACCOUNT_ID})` }, 'update')).toMatch(
        /parentcustomerid binds through "parentcustomerid_account@odata.bind" \(account\) or "parentcustomerid_contact@odata.bind" \(contact\)/,
      );
      expect(problem(project, { 'cr8a1_acountid@odata.bind': `/accounts(${ACCOUNT_ID})` }, 'update')).toMatch(
        /Did you mean "cr8a1_AccountId@odata.bind"/,
      );
    });

    it('should explain the bind form when a navigation name is given without @odata.bind', () => {
      expect(problem(contact, { parentcustomerid_account: ACCOUNT_ID }, 'update')).toMatch(
        /is a navigation property: write the lookup as "parentcustomerid": \{"table": "account"/,
      );
    });
  });

  describe('choices', () => {
    it('should accept the number or the label of a choice, case-insensitively', () => {
      expect(build(contact, { preferredcontactmethodcode: 'email' }, 'update').body).toEqual({ preferredcontactmethodcode: 2 });
      expect(build(contact, { preferredcontactmethodcode: 3 }, 'update').body).toEqual({ preferredcontactmethodcode: 3 });
      expect(build(contact, { preferredcontactmethodcode: '4' }, 'update').body).toEqual({ preferredcontactmethodcode: 4 });
      expect(build(contact, { statuscode: 'INACTIVE' }, 'update').body).toEqual({ statuscode: 2 });
    });

    it('should list the valid values when a label or number is unknown', () => {
      expect(problem(contact, { preferredcontactmethodcode: 'Pigeon' }, 'update')).toMatch(
        /"Pigeon" is not one of its values\. Valid values: 1=Any, 2=Email, 3=Phone, 4=Fax, 5=Mail/,
      );
      expect(problem(contact, { preferredcontactmethodcode: 9 }, 'update')).toMatch(/9 is not one of its values/);
    });

    it('should join multi-select choices given as numbers or labels', () => {
      expect(build(contact, { cr8a1_interests: ['golf', 3] }, 'update').body).toEqual({ cr8a1_interests: '1,3' });
      expect(build(contact, { cr8a1_interests: 'Sailing,Chess' }, 'update').body).toEqual({ cr8a1_interests: '2,3' });
      expect(problem(contact, { cr8a1_interests: ['Golf', 'Tennis'] }, 'update')).toMatch(
        /"Tennis" is not one of its values\. Valid values: 1=Golf, 2=Sailing, 3=Chess/,
      );
    });

    it('should parse status options with their state suffix', () => {
      expect(parseOptions('1=Active (state 0)|2=Inactive (state 1)')).toEqual([
        { value: 1, label: 'Active' },
        { value: 2, label: 'Inactive' },
      ]);
    });
  });

  describe('values', () => {
    it('should check text length against the maximum', () => {
      expect(problem(contact, { lastname: 'x'.repeat(51) })).toMatch(/lastname takes at most 50 characters; the value has 51/);
      expect(problem(contact, { lastname: 42 })).toMatch(/lastname is text: give a string/);
    });

    it('should validate booleans, whole numbers and money', () => {
      expect(build(contact, { donotemail: true, numberofchildren: '2', creditlimit: 2500.5 }, 'update').body).toEqual({
        donotemail: true,
        numberofchildren: 2,
        creditlimit: 2500.5,
      });
      expect(problem(contact, { donotemail: 'yes' }, 'update')).toMatch(/donotemail is yes\/no: give true or false/);
      expect(problem(contact, { numberofchildren: 1.5 }, 'update')).toMatch(/whole number/);
      expect(problem(contact, { numberofchildren: 2 ** 31 }, 'update')).toMatch(/between -2147483648 and 2147483647/);
      expect(problem(contact, { creditlimit: '$2,500' }, 'update')).toMatch(/creditlimit is a number/);
    });

    it('should normalise date-times with a zone to UTC and refuse ones without', () => {
      expect(build(contact, { lastusedincampaign: '2025-06-03T14:00:00+02:00' }, 'update').body).toEqual({
        lastusedincampaign: '2025-06-03T12:00:00Z',
      });
      expect(problem(contact, { lastusedincampaign: '2025-06-03T14:00:00' }, 'update')).toMatch(
        /has no time zone and yours is not known; give ISO 8601/,
      );
      expect(problem(contact, { lastusedincampaign: '2025-06-03' }, 'update')).toMatch(/has no time/);
      expect(problem(contact, { lastusedincampaign: 'tomorrow 2pm' }, 'update')).toMatch(/is not a date and time/);
    });

    it("should take a date-time without offset in the user's zone with that date's offset, and echo it", () => {
      const inBerlin = (v: string) =>
        buildPayload({ lastusedincampaign: v }, { schema: contact, mode: 'update', timeZone: 'Europe/Berlin' });
      const summer = inBerlin('2026-07-01T14:00');
      expect(summer.body).toEqual({ lastusedincampaign: '2026-07-01T12:00:00Z' });
      expect(summer.localTimes).toEqual([
        { field: 'lastusedincampaign', local: '2026-07-01T14:00', utc: '2026-07-01T12:00:00Z', timeZone: 'Europe/Berlin +02:00' },
      ]);
      expect(inBerlin('2026-12-02 14:00:30').body).toEqual({ lastusedincampaign: '2026-12-02T13:00:30Z' });
      expect(inBerlin('2026-07-01T14:00Z').localTimes).toBeUndefined();
      expect(() => inBerlin('2026-03-29T02:30')).toThrow(/does not exist in Europe\/Berlin/);
      expect(() => inBerlin('2026-02-30T10:00')).toThrow(/is not a valid date and time/);
    });

    it('should accept only YYYY-MM-DD for date-only fields', () => {
      expect(build(contact, { birthdate: '1990-02-28' }, 'update').body).toEqual({ birthdate: '1990-02-28' });
      expect(problem(contact, { birthdate: '1990-02-30' }, 'update')).toMatch(/not a calendar date/);
      expect(problem(contact, { birthdate: '1990-02-28T00:00:00Z' }, 'update')).toMatch(
        /birthdate is a date only \(no time\): give YYYY-MM-DD/,
      );
    });

    it('should pass null through to clear an ordinary field', () => {
      expect(build(contact, { emailaddress1: null }, 'update').body).toEqual({ emailaddress1: null });
    });
  });

  describe('activity parties', () => {
    const meeting = {
      subject: 'Meeting with Jane',
      scheduledstart: '2025-06-04T12:00:00Z',
      scheduledend: '2025-06-04T12:30:00Z',
    };

    it('should turn friendly parties into the activity party collection with binds and masks', () => {
      const { body, fields } = build(appointment, {
        ...meeting,
        parties: [
          { role: 'required', table: 'contact', id: CONTACT_ID },
          { role: 'Organizer', table: 'systemusers', id: USER_ID },
          { role: 'optional attendee', table: 'account', id: ACCOUNT_ID },
        ],
      });
      expect(body.appointment_activity_parties).toEqual([
        { 'partyid_contact@odata.bind': `/contacts(${CONTACT_ID})`, participationtypemask: 5 },
        { 'partyid_systemuser@odata.bind': `/systemusers(${USER_ID})`, participationtypemask: 7 },
        { 'partyid_account@odata.bind': `/accounts(${ACCOUNT_ID})`, participationtypemask: 6 },
      ]);
      expect(fields).toContain('appointment_activity_parties');
    });

    it('should map every documented role to its participation type', () => {
      const roles = {
        from: 1,
        sender: 1,
        to: 2,
        cc: 3,
        bcc: 4,
        required: 5,
        optional: 6,
        organizer: 7,
        owner: 9,
        resource: 10,
        customer: 11,
      };
      for (const [role, mask] of Object.entries(roles)) {
        const { body } = build(appointment, { parties: [{ role, table: 'contact', id: CONTACT_ID }] }, 'update');
        expect((body.appointment_activity_parties as Array<Record<string, unknown>>)[0].participationtypemask).toBe(mask);
      }
    });

    it('should accept the raw collection with the navigation name corrected', () => {
      const { body } = build(
        appointment,
        {
          appointment_activity_parties: [
            { 'PartyId_Contact@odata.bind': `/contacts(${CONTACT_ID})`, participationtypemask: 5 },
            { 'partyid_systemuser@odata.bind': `/systemusers(${USER_ID})`, participationtypemask: 'organizer' },
          ],
        },
        'update',
      );
      expect(body).toEqual({
        appointment_activity_parties: [
          { 'partyid_contact@odata.bind': `/contacts(${CONTACT_ID})`, participationtypemask: 5 },
          { 'partyid_systemuser@odata.bind': `/systemusers(${USER_ID})`, participationtypemask: 7 },
        ],
      });
    });

    it('should turn a party-list field into parties with the field role', () => {
      const { body } = build(appointment, { requiredattendees: [{ table: 'contact', id: CONTACT_ID }] }, 'update');
      expect(body).toEqual({
        appointment_activity_parties: [{ 'partyid_contact@odata.bind': `/contacts(${CONTACT_ID})`, participationtypemask: 5 }],
      });
    });

    it('should explain bad parties: unknown role, table, id and non-activity tables', () => {
      expect(problem(appointment, { parties: [{ role: 'chair', table: 'contact', id: CONTACT_ID }] }, 'update')).toMatch(
        /role "chair" is not known; use one of organizer, required/,
      );
      expect(problem(appointment, { parties: [{ role: 'required', table: 'opportunity', id: CONTACT_ID }] }, 'update')).toMatch(
        /"table" must be one of account, contact, lead, systemuser/,
      );
      expect(problem(appointment, { parties: [{ role: 'required', table: 'contact', id: 'Jane' }] }, 'update')).toMatch(
        /"id" must be the GUID of the contact/,
      );
      expect(problem(appointment, { parties: [{ table: 'contact', id: CONTACT_ID }] }, 'update')).toMatch(/add "role"/);
      expect(problem(appointment, { parties: { role: 'required' } }, 'update')).toMatch(/must be an array/);
      expect(problem(contact, { parties: [] }, 'update')).toMatch(/contact is not an activity table/);
      expect(
        problem(
          appointment,
          { appointment_activity_parties: [{ 'partyid_contact@odata.bind': `/accounts(${ACCOUNT_ID})`, participationtypemask: 5 }] },
          'update',
        ),
      ).toMatch(/"partyid_contact@odata.bind" must be "\/contacts\(<guid>\)"/);
    });

    it('should know when the activityparty schema is needed', () => {
      expect(needsPartySchema(appointment, { parties: [] })).toBe(true);
      expect(needsPartySchema(appointment, { Appointment_Activity_Parties: [] })).toBe(true);
      expect(needsPartySchema(appointment, { requiredattendees: [] })).toBe(true);
      expect(needsPartySchema(appointment, { subject: 'x' })).toBe(false);
      expect(needsPartySchema(contact, { parties: [] })).toBe(false);
    });
  });
});
