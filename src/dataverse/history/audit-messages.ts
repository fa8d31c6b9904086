/** What the model is told when auditing cannot answer, naming the exact switch or privilege an administrator controls. */

const PRIVILEGES: Record<string, string> = {
  prvReadRecordAuditHistory: 'View Audit History',
  prvReadAuditSummary: 'View Audit Summary',
};

export function missingPrivilegeMessage(privilege: string): string {
  return (
    `you lack the ${privilege} privilege ("${PRIVILEGES[privilege] ?? privilege}", Miscellaneous Privileges of a security role), ` +
    'so Dataverse refuses to show audit history. Ask a Dataverse administrator to grant it through one of your security roles.'
  ).replace(/^y/, 'Y');
}

export function auditingOffMessage(table: string, switches: { environment?: boolean; table?: boolean }): string | undefined {
  if (switches.environment === false) {
    return (
      'Auditing is off for this Dataverse environment (organization setting isauditenabled = false), so no change history is recorded. ' +
      'An administrator must turn on "Start Auditing" in the Power Platform admin center (Environment > Settings > Audit and logs > Audit settings).'
    );
  }
  if (switches.table === false) {
    return (
      `Auditing is off for the table ${table} (IsAuditEnabled = false), so its changes are not recorded. ` +
      `An administrator must turn on "Audit changes to its data" in the ${table} table's properties (Power Apps > Tables > ${table} > Properties > Advanced options) and publish.`
    );
  }
  return undefined;
}
