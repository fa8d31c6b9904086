import { tableRelationships } from './table-relationships';

describe('tableRelationships', () => {
  const nn = (schema: string, e1: string, e2: string, nav1: string | null, nav2: string | null) => ({
    SchemaName: schema,
    Entity1LogicalName: e1,
    Entity2LogicalName: e2,
    Entity1NavigationPropertyName: nav1,
    Entity2NavigationPropertyName: nav2,
  });

  it('should see an N:N from the side of the table asked about, and a self-referencing one from Entity1', () => {
    expect(
      tableRelationships(
        'lead',
        [
          nn('accountleads_association', 'account', 'lead', 'accountleads_association', 'accountleads_association_lead'),
          nn('lead_self', 'lead', 'lead', 'lead_self1', 'lead_self2'),
        ],
        [],
      ),
    ).toEqual([
      { name: 'accountleads_association', nav: 'accountleads_association_lead', table: 'account', kind: 'N:N' },
      { name: 'lead_self', nav: 'lead_self1', table: 'lead', kind: 'N:N' },
    ]);
  });

  it('should leave out a relationship with no navigation property on this side', () => {
    const out = tableRelationships(
      'account',
      [nn('no_nav', 'account', 'lead', null, 'x')],
      [
        {
          SchemaName: 'contact_customer_accounts',
          ReferencingEntity: 'contact',
          ReferencedEntityNavigationPropertyName: 'contact_customer_accounts',
        },
        { SchemaName: 'hidden_1n', ReferencingEntity: 'task', ReferencedEntityNavigationPropertyName: null },
      ],
    );
    expect(out).toEqual([{ name: 'contact_customer_accounts', nav: 'contact_customer_accounts', table: 'contact', kind: '1:N' }]);
  });
});
