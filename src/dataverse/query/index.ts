import { AggregateService } from './aggregate.service';
import { FetchRunner } from './fetch-runner';
import { ViewsService } from './views.service';

export { AggregateService, FetchRunner, ViewsService };
export type { AggregateInput, AggregateResult } from './aggregate.service';
export type { ViewInfo } from './views.service';

/** Querying beyond list_records' OData: aggregates, FetchXML and views. */
export const QUERY_PROVIDERS = [ViewsService, FetchRunner, AggregateService];
