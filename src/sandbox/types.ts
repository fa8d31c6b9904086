/** Public types of the Dataverse Web API emulator (see index.ts). */

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 = a random free port. */
  port?: number;
  /** Optional JSON persistence: loaded at start if present, saved atomically (temp + rename) after writes, debounced. */
  dataFile?: string;
  /** Default false: when true, the control endpoints under /_emulator/ are served (loopback callers only). */
  controlApi?: boolean;
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
}

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
  controls: { set(f: FaultSettings): void; reset(): void };
  /** Only /api/data requests; the Authorization value is never stored. */
  requestLog: { entries(): RequestLogEntry[]; clear(): void };
  /** Read-only peeks for tests. Records are in Web API shape (lookups as `_x_value`). */
  store: {
    count(entitySet: string, filter?: (r: Record<string, unknown>) => boolean): number;
    get(entitySet: string, id: string): Record<string, unknown> | undefined;
  };
  /** Closes the listener and all keep-alive sockets promptly (flushing a pending data file save). */
  close(): Promise<void>;
}
