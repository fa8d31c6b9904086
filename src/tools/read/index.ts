import { IdentityTools } from './identity.tools';
import { MetadataTools } from './metadata.tools';
import { RecordsTools } from './records.tools';
import { HistoryTools } from '../history/history.tools';

export { IdentityTools, MetadataTools, RecordsTools };

/** The read tools: always present, DATAVERSE_READ_ONLY included. */
export const READ_TOOLS = [IdentityTools, MetadataTools, RecordsTools, HistoryTools];
