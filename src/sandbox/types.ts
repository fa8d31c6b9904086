/** Public types of the Dataverse Web API emulator (see index.ts). */
import type { AuditSettings } from './audit/audit-trail';

export type { AuditSettings };

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 = a random free port. */
  port?: number;
  /** Optional JSON persistence: loaded at start if present, saved atomically (temp + rename) after writes, debounced. */
  dataFile?: string;
  /** Default false: when true, the control endpoints under /_emulator/ are served (loopback callers only). */
  controlApi?: boolean;
  /** Answer Dataverse search requests as an organization with search turned off (default false). */
  searchDisabled?: boolean;
  /** Auditing switches (default: on for the environment and every business table, every privilege granted). */
  audit?: AuditSettings;
  /** Optional structured logger. The emulator never writes to stdout. */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Rows an aggregate query ($apply, FetchXML aggregate) may read before AggregateQueryRecordLimit; default 50,000. */
  aggregateRecordLimit?: number;
}

export interface RequestLogEntry {
  method: string;
  /** Raw path + query exactly as received. */
  url: string;
  headers: { prefer?: string; ifMatch?: string; contentType?: string; hasAuthorization: boolean };
  /** 0 when the connection was dropped by a fault. */
  status: number;
  /** Parsed JSON body of POST/PATCH. */
  body?: unknown;
  at: number;
}

export interface FaultSettings {
  /** 429 for the first N requests, or for every request after the first N. */
  throttle?: { first?: number; after?: number; retryAfterSeconds?: number; code?: string };
  /** Added to every API response. */
  latencyMs?: number;
  /** The next `count` matching requests fail with that status. */
  failures?: { status: 500 | 502 | 503 | 504; count: number; methods?: string[] };
  /** The next `count` matching requests: socket destroyed without a response. */
  dropConnections?: { count: number; methods?: string[] };
  /**
   * The next `count` matching requests (by method and, when given, a substring of the path) get an answer no
   * real Dataverse gives (see src/sandbox/hostile): all kinds but `truncatedSuccess` replace the request.
   */
  hostileResponses?: { kind: HostileKind; count: number; methods?: string[]; pathIncludes?: string };
}

/**
 * `gzipBomb`: 200 gzip that inflates to 1 GB; `hugePage`: an 80 MB JSON page; `html`: a 200 sign-in page;
 * `nullValue`: `{"value": null}`; `emptyBody`: an empty 200; `truncatedSuccess`: the request is executed and its
 * answer cut in half; `foreignNextLink` / `strayNextLink`: the request is executed and a next-page link in its answer
 * points at another host / at another table of this API.
 */
export type HostileKind =
  'gzipBomb' | 'hugePage' | 'html' | 'nullValue' | 'emptyBody' | 'truncatedSuccess' | 'foreignNextLink' | 'strayNextLink';

/** Hostile kinds that execute the request and then spoil its answer. */
export type ExecutedHostileKind = 'truncatedSuccess' | 'foreignNextLink' | 'strayNextLink';

export interface EmulatorHandle {
  /** Environment URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** `${url}/api/data/v9.2/` */
  apiUrl: string;
  /** The systemuserid of "Sandbox User". */
  sandboxUserId: string;
  /** Registers and returns a new opaque bearer token acting as that systemuser (default the sandbox user). */
  issueToken(userId?: string): string;
  revokeToken(token: string): void;
  /** Faults; `setSearchEnabled` turns Dataverse search on or off (also `PUT /_emulator/search {"enabled": false}`). */
  controls: { set(f: FaultSettings): void; reset(): void; setSearchEnabled(enabled: boolean): void };
  /** Changes the auditing switches at run time (also PUT /_emulator/audit). */
  audit: { set(s: AuditSettings): void };
  /** Only /api/data requests; the Authorization value is never stored. */
  requestLog: { entries(): RequestLogEntry[]; clear(): void };
  /** Read-only peeks for tests. Records are in Web API shape (lookups as `_x_value`). */
  store: {
    count(entitySet: string, filter?: (r: Record<string, unknown>) => boolean): number;
    get(entitySet: string, id: string): Record<string, unknown> | undefined;
    /** The first `top` rows, most recently modified first (copies), and how many there are (the record viewer). */
    list(entitySet: string, top: number): { total: number; rows: Record<string, unknown>[] };
  };
  /** Closes the listener and all keep-alive sockets promptly (flushing a pending data file save). */
  close(): Promise<void>;
}
