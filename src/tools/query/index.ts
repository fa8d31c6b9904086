import { AggregateTools } from './aggregate.tools';

/** Read tools over aggregates and queries; listed with the other reads (read-only mode included). */
export const QUERY_TOOLS = [AggregateTools];
