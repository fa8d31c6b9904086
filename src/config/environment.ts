import { TOOLSETS } from './app-config';
import { IsIn, IsOptional, Matches, ValidateBy, ValidationArguments } from './class-validator-lite';

const PORT = /^(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;
const POSITIVE_INT = /^[1-9]\d{0,8}$/;
const BOOL = /^(true|false|1|0|yes|no)$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT = /^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(\.[a-z0-9-]+)+)$/i;
const HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]+\]?|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/i;
export const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** https, or http on a loopback host (the sandbox and tests); no query or fragment. */
function IsDataverseUrl() {
  return ValidateBy({
    name: 'isDataverseUrl',
    validator: {
      validate: (value: unknown) => {
        const url = parseUrl(value);
        if (!url || url.search || url.hash || url.username || url.password) return false;
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
      },
      defaultMessage: (args?: ValidationArguments) =>
        `DATAVERSE_URL must be your environment's https URL, e.g. https://contoso.crm.dynamics.com ` +
        `(regional hosts like crm4 and .api. hosts work; http is accepted only for localhost); got "${String(args?.value)}"`,
    },
  });
}

function IsOriginList() {
  return ValidateBy({
    name: 'isOriginList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .every((o) => {
            const url = parseUrl(o);
            return !!url && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === o.replace(/\/$/, '');
          }),
      defaultMessage: (args?: ValidationArguments) =>
        `MCP_ALLOWED_ORIGINS must be a comma-separated list of origins like https://app.example.com,http://localhost:3000 ` +
        `(scheme, host and optional port; no path); got "${String(args?.value)}"`,
    },
  });
}

/** The names of DATAVERSE_TOOLSETS, lower-cased; empty entries dropped. */
export function toolsetNames(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function IsToolsetList() {
  const valid = new Set<string>(['all', ...TOOLSETS]);
  return ValidateBy({
    name: 'isToolsetList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && toolsetNames(value).length > 0 && toolsetNames(value).every((n) => valid.has(n)),
      defaultMessage: (args?: ValidationArguments) => {
        const unknown = toolsetNames(String(args?.value)).filter((n) => !valid.has(n));
        return (
          `DATAVERSE_TOOLSETS must be a comma-separated list of ${[...valid].join(', ')} (default all)` +
          (unknown.length ? `; unknown: ${unknown.map((n) => `"${n}"`).join(', ')}` : `; got "${String(args?.value)}"`)
        );
      },
    },
  });
}

function IsHttpUrl(variable: string) {
  return ValidateBy({
    name: 'isHttpUrl',
    validator: {
      validate: (value: unknown) => {
        const url = parseUrl(value);
        return !!url && (url.protocol === 'http:' || url.protocol === 'https:');
      },
      defaultMessage: (args?: ValidationArguments) =>
        `${variable} must be an http(s) URL such as https://mcp.example.com; got "${String(args?.value)}"`,
    },
  });
}

function IsRedisUrl() {
  return ValidateBy({
    name: 'isRedisUrl',
    validator: {
      validate: (value: unknown) => {
        const url = parseUrl(value);
        return !!url && (url.protocol === 'redis:' || url.protocol === 'rediss:' || url.protocol === 'unix:');
      },
      defaultMessage: (args?: ValidationArguments) =>
        `REDIS_URL must look like redis://host:6379/0, rediss://user:password@host:6380/0 or unix:///path/redis.sock; got "${redactUrl(String(args?.value))}"`,
    },
  });
}

/** Never echo a password back into a log line. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^/@]*)@/, '//***@');
}

const portMessage = (name: string, dflt: number) => `${name} must be a port number from 1 to 65535 (default ${dflt})`;
const ttlMessage = (name: string, dflt: number) => `${name} must be a whole number of seconds, at least 1 (default ${dflt})`;
/** Comma-separated table logical names (at most 500). */
const TABLE_LIST = /^\s*[A-Za-z_][A-Za-z0-9_]{0,99}(\s*,\s*[A-Za-z_][A-Za-z0-9_]{0,99}){0,499}\s*,?\s*$/;
const tableListMessage = (name: string) =>
  `${name} must be a comma-separated list of table logical names such as account,contact,opportunity`;
const boolMessage = (name: string, dflt: boolean) => `${name} must be true or false (default ${dflt})`;

/** The raw environment, as strings, with one rule and one message per variable (DESIGN §11). */
export class EnvironmentVariables {
  @IsOptional() @IsDataverseUrl() DATAVERSE_URL?: string;
  @IsOptional()
  @Matches(GUID, { message: 'CLIENT_ID must be the Application (client) ID GUID of your Entra app registration' })
  CLIENT_ID?: string;
  @IsOptional()
  @Matches(TENANT, { message: 'TENANT_ID must be a tenant GUID, a domain like contoso.onmicrosoft.com, or common / organizations' })
  TENANT_ID?: string;
  @IsOptional()
  @IsIn(['interactive', 'device-code'], { message: 'AUTH_FLOW must be interactive or device-code (default interactive)' })
  AUTH_FLOW?: string;
  @IsOptional()
  @Matches(HOST, { message: 'AUTH_REDIRECT_HOST must be a host name or IP address such as 127.0.0.1 or 0.0.0.0' })
  AUTH_REDIRECT_HOST?: string;
  @IsOptional() @Matches(PORT, { message: portMessage('AUTH_REDIRECT_PORT', 5577) }) AUTH_REDIRECT_PORT?: string;
  @IsOptional() TOKEN_CACHE_DIR?: string;
  @IsOptional() CLIENT_SECRET?: string;
  @IsOptional() @IsHttpUrl('MCP_BASE_URL') MCP_BASE_URL?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9\-._~+/]+=*$/, { message: 'DATAVERSE_ACCESS_TOKEN must be a bare bearer token (no "Bearer " prefix, no spaces)' })
  DATAVERSE_ACCESS_TOKEN?: string;
  @IsOptional() @IsRedisUrl() REDIS_URL?: string;
  @IsOptional()
  @Matches(/^\s*(stdio|sse|http|sse\s*,\s*http|http\s*,\s*sse)\s*$/i, {
    message: 'MCP_TRANSPORT must be stdio, sse, http, or sse,http (default stdio)',
  })
  MCP_TRANSPORT?: string;
  @IsOptional()
  @Matches(HOST, { message: 'MCP_HOST must be a host name or IP address such as 127.0.0.1 (default) or 0.0.0.0' })
  MCP_HOST?: string;
  @IsOptional() @Matches(PORT, { message: portMessage('MCP_PORT', 8199) }) MCP_PORT?: string;
  @IsOptional() @IsOriginList() MCP_ALLOWED_ORIGINS?: string;
  @IsOptional() @Matches(POSITIVE_INT, { message: ttlMessage('CONFIRM_TOKEN_TTL_SECONDS', 120) }) CONFIRM_TOKEN_TTL_SECONDS?: string;
  @IsOptional() @Matches(POSITIVE_INT, { message: ttlMessage('CURSOR_TTL_SECONDS', 900) }) CURSOR_TTL_SECONDS?: string;
  @IsOptional() @Matches(POSITIVE_INT, { message: ttlMessage('CACHE_TTL_IDENTITY_SECONDS', 86400) }) CACHE_TTL_IDENTITY_SECONDS?: string;
  @IsOptional() @Matches(POSITIVE_INT, { message: ttlMessage('CACHE_TTL_TABLES_SECONDS', 86400) }) CACHE_TTL_TABLES_SECONDS?: string;
  @IsOptional() @Matches(POSITIVE_INT, { message: ttlMessage('CACHE_TTL_SCHEMA_SECONDS', 3600) }) CACHE_TTL_SCHEMA_SECONDS?: string;
  @IsOptional() @IsToolsetList() DATAVERSE_TOOLSETS?: string;
  @IsOptional() @Matches(BOOL, { message: boolMessage('DATAVERSE_READ_ONLY', false) }) DATAVERSE_READ_ONLY?: string;
  @IsOptional() @Matches(BOOL, { message: boolMessage('DATAVERSE_ALLOW_DELETE', true) }) DATAVERSE_ALLOW_DELETE?: string;
  @IsOptional()
  @Matches(TABLE_LIST, { message: tableListMessage('DATAVERSE_TABLES') })
  DATAVERSE_TABLES?: string;
  @IsOptional()
  @Matches(TABLE_LIST, { message: tableListMessage('DATAVERSE_EXCLUDE_TABLES') })
  DATAVERSE_EXCLUDE_TABLES?: string;
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (default info)',
  })
  LOG_LEVEL?: string;
}

/** Every variable the server reads; `.env.example` and the README table list exactly these. */
export const ENV_VARIABLES = [
  'DATAVERSE_URL',
  'CLIENT_ID',
  'TENANT_ID',
  'AUTH_FLOW',
  'AUTH_REDIRECT_HOST',
  'AUTH_REDIRECT_PORT',
  'TOKEN_CACHE_DIR',
  'CLIENT_SECRET',
  'MCP_BASE_URL',
  'DATAVERSE_ACCESS_TOKEN',
  'REDIS_URL',
  'MCP_TRANSPORT',
  'MCP_HOST',
  'MCP_PORT',
  'MCP_ALLOWED_ORIGINS',
  'CONFIRM_TOKEN_TTL_SECONDS',
  'CURSOR_TTL_SECONDS',
  'CACHE_TTL_IDENTITY_SECONDS',
  'CACHE_TTL_TABLES_SECONDS',
  'CACHE_TTL_SCHEMA_SECONDS',
  'DATAVERSE_TOOLSETS',
  'DATAVERSE_READ_ONLY',
  'DATAVERSE_ALLOW_DELETE',
  'DATAVERSE_TABLES',
  'DATAVERSE_EXCLUDE_TABLES',
  'LOG_LEVEL',
] as const satisfies readonly (keyof EnvironmentVariables)[];
