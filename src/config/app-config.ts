/** The validated, typed configuration every other module reads. Built once by `loadConfig`. */
export type TransportName = 'stdio' | 'sse' | 'http';
export type AuthFlow = 'interactive' | 'device-code';
/**
 * How the server gets Dataverse tokens:
 * - `sandbox`: the embedded emulator and its sandbox identity (`--sandbox`);
 * - `static`: `DATAVERSE_ACCESS_TOKEN` used as-is;
 * - `interactive` / `device-code`: MSAL public client, single user;
 * - `obo`: multi-user on-behalf-of (`CLIENT_SECRET` set).
 */
export type AuthMode = 'sandbox' | 'static' | 'interactive' | 'device-code' | 'obo';
/** Groups of data tools, chosen with DATAVERSE_TOOLSETS (default all); sign_in and sign_out are always listed. */
export const TOOLSETS = ['records', 'query', 'write', 'delete', 'history'] as const;
export type ToolsetName = (typeof TOOLSETS)[number];
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CacheTtls {
  identitySeconds: number;
  tablesSeconds: number;
  schemaSeconds: number;
}

/** `include` (when set) is the allow-list; `exclude` is applied after it. */
export interface TableScopeConfig {
  include?: string[];
  exclude: string[];
}

export interface AppConfig {
  /** Environment URL without trailing slash, e.g. `https://contoso.crm4.dynamics.com`. Undefined only in sandbox mode before the emulator starts. */
  dataverseUrl?: string;
  /** `${dataverseUrl}/api/data/v9.2/` */
  dataverseApiUrl?: string;
  clientId?: string;
  tenantId: string;
  authFlow: AuthFlow;
  authMode: AuthMode;
  authRedirectHost: string;
  authRedirectPort: number;
  tokenCacheDir: string;
  clientSecret?: string;
  mcpBaseUrl: string;
  dataverseAccessToken?: string;
  redisUrl?: string;
  transports: TransportName[];
  mcpHost: string;
  mcpPort: number;
  allowedOrigins: string[];
  confirmTokenTtlSeconds: number;
  /** How long a list_records nextCursor can be continued (its paging state is kept server-side). */
  cursorTtlSeconds: number;
  cacheTtl: CacheTtls;
  /** DATAVERSE_TOOLSETS, `all` expanded; DATAVERSE_READ_ONLY and DATAVERSE_ALLOW_DELETE still hide what they hide. */
  toolsets: ToolsetName[];
  readOnly: boolean;
  allowDelete: boolean;
  /** DATAVERSE_TABLES / DATAVERSE_EXCLUDE_TABLES: the tables every tool may see (lower-case logical names). */
  tableScope?: TableScopeConfig;
  logLevel: LogLevel;
  /** `--sandbox`: run against the embedded Dataverse emulator. */
  sandbox: boolean;
  /** `--data FILE` in sandbox mode: persist the emulator's records. */
  sandboxDataFile?: string;
  /** `--no-search` in sandbox mode: the emulator answers as an environment with Dataverse search turned off. */
  sandboxSearchDisabled?: boolean;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
