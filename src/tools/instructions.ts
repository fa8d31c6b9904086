import type { ToolsetName } from '../config/app-config';

/**
 * The MCP `instructions` the client hands to the model: how to use this server well, said once for every tool.
 * Each line belongs to the toolset whose tools it is about and is left out when that set is not listed.
 */
const LINES: Array<[ToolsetName | 'always', string]> = [
  ['always', 'Microsoft Dataverse records, as the signed-in user.'],
  [
    'records',
    "- Names: list_tables finds a table; get_table_schema gives its fields, types, choices and lookup targets. Conditions: list_records with an OData filter: contains(name,'Contoso') and statecode eq 0; text in single quotes, GUIDs and dates bare (createdon ge 2025-01-01T00:00:00Z).",
  ],
  ['query', '- Find by text, table unknown: search_records, then get_record. Counts and sums per group: aggregate_records, not paging.'],
  [
    'write',
    '- Values in data (create/update, one or many): JSON text, numbers, true/false; a choice as its number or label ("preferredcontactmethodcode": "Email"; multi-select: an array); a lookup as {"table": "account", "id": "<guid>"} ("name": "<primary name>" instead of id also works); a date as "2025-06-04"; a date-time without offset ("2025-06-04T14:00") is in the user\'s time zone (get_my_identity), with Z or an offset as given; activity attendees and recipients as "parties": [{"role": "required", "table": "contact", "id": "<guid>"}] (role organizer, required, optional, from, to, cc, bcc).',
  ],
  [
    'delete',
    '- Delete in two steps: delete_record proposes and returns a summary; show it, and call confirm_delete_record only after the user explicitly says yes in this conversation. Never on your own.',
  ],
];

/** The instructions for the toolsets a configuration lists. */
export function serverInstructions(toolsets: readonly ToolsetName[]): string {
  return LINES.filter(([set]) => set === 'always' || toolsets.includes(set))
    .map(([, line]) => line)
    .join('\n');
}
