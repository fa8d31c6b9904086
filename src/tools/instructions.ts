/** The MCP `instructions` the client hands to the model: how to use this server well. */
export const SERVER_INSTRUCTIONS = `This server reads and writes Microsoft Dataverse records as the signed-in user.
- If a tool says sign-in is required, call sign_in, show the user the URL (or the code) it returns, ask them to finish signing in, then retry.
- Tables: call list_tables to find a table's logical name; call get_table_schema before create_record or update_record to learn field names, types, choice values and lookup targets.
- Times: call get_my_identity for the user's time zone and convert local times ("tomorrow at 2pm") to UTC ISO strings before writing them.
- Finding a record by name or any text, table unknown: search_records (one call across tables), then get_record with its table and id.
- Reading: list_records takes an OData $filter (e.g. contains(name,'Contoso') and statecode eq 0); page with nextCursor when hasMore is true. For counts, sums or "per owner/per month" questions call aggregate_records instead of paging.
- Deleting is two-step: delete_record only proposes and returns a summary and a one-time token. Show the summary to the user and call confirm_delete_record only after the user explicitly says yes in this conversation. Never confirm on your own.`;
