import { Model } from '../metadata/registry';
import { Prefer } from '../odata/query';
import { Store } from '../store';

/** Everything a Web API handler needs for one request. */
export interface ApiContext {
  model: Model;
  store: Store;
  /** e.g. http://127.0.0.1:40123/api/data/v9.2/ */
  apiUrl: string;
  userId: string;
  businessUnitId: string;
  organizationId: string;
  prefer: Prefer;
  timeZone: string;
  /** Raw query string (without '?'), for nextLink construction. */
  rawQuery: string;
  /** Rows an aggregate query may read (AggregateQueryRecordLimit); default 50,000. */
  aggregateLimit?: number;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  /** A JSON body already written out (kept metadata answers); sent as it is. */
  json?: string;
  /** text/plain body ($count), or a body of `contentType` ($batch). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}
