import type { TableSchema } from '../metadata/schema-format';
import { FIELDS_PER_CHANGE, toChanges } from './history-format';
import { auditingOffMessage, missingPrivilegeMessage } from './audit-messages';

const FV = '@OData.Community.Display.V1.FormattedValue';
const schema: TableSchema = {
  logicalName: 'account',
  entitySetName: 'accounts',
  primaryIdAttribute: 'accountid',
  isActivity: false,
  entitySets: {},
  fields: [
    { name: 'industrycode', type: 'choice', options: '7=Consulting|10=Distributors' },
    { name: 'primarycontactid', type: 'lookup', to: { contact: 'primarycontactid' } },
    { name: 'lastonholdtime', type: 'datetime' },
  ],
};
const clock = (utc: unknown) => (typeof utc === 'string' ? `${utc.slice(0, 19)}+01:00` : undefined);

describe('history format', () => {
  it('should take who and when from AuditRecord when Dataverse includes it, and show labels and names', () => {
    const changes = toChanges(
      [
        {
          '@odata.type': '#Microsoft.Dynamics.CRM.AttributeAuditDetail',
          AuditRecord: {
            createdon: '2025-02-01T10:00:00Z',
            _userid_value: 'u1',
            [`_userid_value${FV}`]: 'Megan Bowen',
            action: 2,
            [`action${FV}`]: 'Update',
          },
          OldValue: { industrycode: 7, _primarycontactid_value: 'c1', [`_primarycontactid_value${FV}`]: 'Grace Tanaka' },
          NewValue: { industrycode: 10, _primarycontactid_value: null, lastonholdtime: '2025-02-01T09:00:00Z' },
        },
      ],
      [],
      schema,
      new Map([['industrycode', 'Industry']]),
      clock,
    );

    expect(changes).toEqual([
      {
        changedOn: '2025-02-01T10:00:00+01:00',
        changedBy: { id: 'u1', name: 'Megan Bowen' },
        operation: 'Update',
        fields: [
          { field: 'industrycode', label: 'Industry', oldValue: 'Consulting', newValue: 'Distributors' },
          { field: 'primarycontactid', label: 'primarycontactid', oldValue: 'Grace Tanaka', newValue: null },
          { field: 'lastonholdtime', label: 'lastonholdtime', oldValue: null, newValue: '2025-02-01T09:00:00+01:00' },
        ],
      },
    ]);
  });

  it('should pair details with audits rows by position when AuditRecord is absent, and cap long creates', () => {
    const many = Object.fromEntries(Array.from({ length: FIELDS_PER_CHANGE + 3 }, (_, i) => [`f${i}`, i]));
    const changes = toChanges(
      [
        { '@odata.type': '#Microsoft.Dynamics.CRM.AuditDetail' },
        { '@odata.type': '#Microsoft.Dynamics.CRM.AttributeAuditDetail', OldValue: {}, NewValue: many },
      ],
      [
        { createdon: '2025-03-02T00:00:00Z', _userid_value: 'u2', operation: 3 },
        { createdon: '2025-03-01T00:00:00Z', _userid_value: 'u1', operation: 1 },
      ],
      schema,
      new Map(),
      clock,
    );

    expect(changes[0]).toEqual({ changedOn: '2025-03-02T00:00:00+01:00', changedBy: { id: 'u2' }, operation: 'Delete', fields: [] });
    expect(changes[1]).toMatchObject({ operation: 'Create', moreFields: 3 });
    expect(changes[1].fields).toHaveLength(FIELDS_PER_CHANGE);
  });

  it('should name the environment switch before the table switch, and nothing when both are on or unknown', () => {
    expect(auditingOffMessage('lead', { environment: false, table: false })).toContain('isauditenabled = false');
    expect(auditingOffMessage('lead', { environment: true, table: false })).toContain('Auditing is off for the table lead');
    expect(auditingOffMessage('lead', { environment: true, table: true })).toBeUndefined();
    expect(auditingOffMessage('lead', {})).toBeUndefined();
    expect(missingPrivilegeMessage('prvReadAuditSummary')).toMatch(/^You lack the prvReadAuditSummary privilege \("View Audit Summary"/);
  });
});
