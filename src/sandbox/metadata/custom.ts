import { A, EntityDef, currencyBlock, systemBlock, target } from './model';

/** A custom table from a publisher with prefix cr8a1, as a maker would create it. */
export function projectEntity(): EntityDef {
  return {
    logicalName: 'cr8a1_project',
    schemaName: 'cr8a1_Project',
    entitySetName: 'cr8a1_projects',
    collectionSchemaName: 'cr8a1_Projects',
    displayName: 'Project',
    displayCollectionName: 'Projects',
    description: 'Customer projects delivered by the professional services team.',
    primaryIdAttribute: 'cr8a1_projectid',
    primaryNameAttribute: 'cr8a1_name',
    objectTypeCode: 10421,
    ownershipType: 'UserOwned',
    isActivity: false,
    isCustom: true,
    isValidForAdvancedFind: true,
    attributes: [
      A.id('cr8a1_projectid', 'Project', { schemaName: 'cr8a1_ProjectId' }),
      A.str('cr8a1_name', 'Name', 100, { required: 'ApplicationRequired', isPrimaryName: true, schemaName: 'cr8a1_Name' }),
      A.str('cr8a1_code', 'Project Code', 20, { schemaName: 'cr8a1_Code' }),
      // Restrict: an account with projects cannot be deleted until its projects are reassigned or removed.
      A.lookup('cr8a1_accountid', 'Account', [target('account', 'cr8a1_AccountId', 'cr8a1_account_cr8a1_project_AccountId', 'Restrict')], {
        schemaName: 'cr8a1_AccountId',
        required: 'ApplicationRequired',
      }),
      A.companion('cr8a1_accountidname', 'cr8a1_accountid', 'String', 'Account'),
      A.lookup(
        'cr8a1_projectmanagerid',
        'Project Manager',
        [target('systemuser', 'cr8a1_ProjectManagerId', 'cr8a1_systemuser_cr8a1_project_ProjectManagerId', 'RemoveLink')],
        { schemaName: 'cr8a1_ProjectManagerId' },
      ),
      A.choice(
        'cr8a1_stage',
        'Stage',
        '100000000:Planning|100000001:In Progress|100000002:On Hold|100000003:Completed|100000004:Cancelled',
        { schemaName: 'cr8a1_Stage', required: 'ApplicationRequired' },
      ),
      A.money('cr8a1_budget', 'Budget', { schemaName: 'cr8a1_Budget', minValue: 0 }),
      A.money('cr8a1_budget_base', 'Budget (Base)', { schemaName: 'cr8a1_budget_Base', readOnly: true }),
      A.dateOnly('cr8a1_startdate', 'Start Date', { schemaName: 'cr8a1_StartDate' }),
      A.dateOnly('cr8a1_enddate', 'End Date', { schemaName: 'cr8a1_EndDate' }),
      A.int('cr8a1_percentcomplete', 'Percent Complete', { schemaName: 'cr8a1_PercentComplete', minValue: 0, maxValue: 100 }),
      A.bool('cr8a1_billable', 'Billable', ['No', 'Yes'], { schemaName: 'cr8a1_Billable' }),
      A.memo('cr8a1_description', 'Description', 4000, { schemaName: 'cr8a1_Description' }),
      A.state('0:Active:1|1:Inactive:2'),
      A.status('1:Active:0|2:Inactive:1'),
      ...currencyBlock('cr8a1_project'),
      ...systemBlock('cr8a1_project', 'cr8a1_project', 'UserOwned'),
    ],
  };
}
