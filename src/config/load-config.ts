import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { AppConfig, AuthMode, LogLevel, TOOLSETS, ToolsetName, TransportName } from './app-config';
import { validateSync } from './class-validator-lite';
import { ENV_VARIABLES, EnvironmentVariables, toolsetNames } from './environment';

/** Thrown when the configuration is unusable; `message` names every bad variable and how to fix it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        "\nSee .env.example or the README's configuration table for every variable and its default.",
    );
    this.name = 'ConfigError';
  }
}

export interface CliOptions {
  sandbox: boolean;
  transport?: string;
  dataFile?: string;
  noSearch?: boolean;
  help: boolean;
  version: boolean;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { sandbox: false, help: false, version: false };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--sandbox':
        options.sandbox = true;
        break;
      case '--transport':
        options.transport = value();
        break;
      case '--data':
        options.dataFile = value();
        break;
      case '--no-search':
        options.noSearch = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--version':
      case '-v':
        options.version = true;
        break;
      default:
        problems.push(`unknown argument "${arg}"; run with --help to see the options`);
    }
  }
  if (options.dataFile !== undefined && !options.dataFile) problems.push('--data needs a file name, e.g. --data ./sandbox.json');
  if (options.dataFile && !options.sandbox) problems.push('--data only applies together with --sandbox');
  if (options.noSearch && !options.sandbox) problems.push('--no-search only applies together with --sandbox');
  if (problems.length) throw new ConfigError(problems);
  return options;
}

export const USAGE = `Usage: dataverse-mcp [--sandbox [--data FILE] [--no-search]] [--transport stdio|sse|http|sse,http]

  --sandbox          run against the embedded Dataverse emulator (no Azure app, no Redis)
  --data FILE        with --sandbox: keep the emulator's records in FILE across restarts
  --no-search        with --sandbox: emulate an environment with Dataverse search turned off
  --transport LIST   overrides MCP_TRANSPORT
  --help, --version

Everything else is configured with environment variables: see .env.example.`;

function tableList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ].sort();
}

function tableScopeOf(include: string | undefined, exclude: string | undefined): Pick<AppConfig, 'tableScope'> {
  const inc = tableList(include);
  const exc = tableList(exclude) ?? [];
  if (!inc && !exc.length) return {};
  return { tableScope: { ...(inc ? { include: inc } : {}), exclude: exc } };
}

function bool(value: string | undefined, dflt: boolean): boolean {
  return value === undefined ? dflt : /^(true|1|yes)$/i.test(value);
}

function int(value: string | undefined, dflt: number): number {
  return value === undefined ? dflt : Number.parseInt(value, 10);
}

/** Strips a trailing slash and an `/api/data/v9.x` suffix: people paste either. */
export function normaliseDataverseUrl(raw: string): string {
  const url = new URL(raw.trim());
  const path = url.pathname
    .replace(/\/+$/, '')
    .replace(/\/api\/data\/v\d+(\.\d+)?$/i, '')
    .replace(/\/+$/, '');
  return `${url.protocol}//${url.host.toLowerCase()}${path}`;
}

export function defaultTokenCacheDir(env: NodeJS.ProcessEnv): string {
  const home = homedir();
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'dataverse-mcp');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'dataverse-mcp');
    default:
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'dataverse-mcp');
  }
}

function parseTransports(raw: string | undefined): TransportName[] {
  const names = (raw ?? 'stdio')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as TransportName[];
  return [...new Set(names)];
}

/** DATAVERSE_TOOLSETS (validated) as the sets it names, in their fixed order; `all` or unset: every set. */
function parseToolsets(raw: string | undefined): ToolsetName[] {
  const names = new Set(toolsetNames(raw ?? 'all'));
  return names.has('all') ? [...TOOLSETS] : TOOLSETS.filter((t) => names.has(t));
}

/** Reads, validates and types the configuration once. Throws `ConfigError` listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cli: CliOptions = parseArgs([])): AppConfig {
  const raw: Record<string, string> = {};
  for (const name of ENV_VARIABLES) {
    const value = env[name];
    // An empty value (`FOO=` in an env file) means "not set".
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  if (cli.transport !== undefined) raw.MCP_TRANSPORT = cli.transport;
  // DATAVERSE_URL=sandbox is --sandbox for launchers that set variables but no arguments (the Claude Desktop extension).
  const sandbox = cli.sandbox || raw.DATAVERSE_URL?.toLowerCase() === 'sandbox';
  if (sandbox) delete raw.DATAVERSE_URL;

  const vars = Object.assign(new EnvironmentVariables(), raw);
  const problems = validateSync(vars).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) =>
      cli.transport !== undefined && e.property === 'MCP_TRANSPORT' ? m.replace('MCP_TRANSPORT', '--transport') : m,
    ),
  );

  const transports = parseTransports(vars.MCP_TRANSPORT);
  if (!sandbox && !vars.DATAVERSE_URL) {
    problems.push(
      'DATAVERSE_URL is required: set it to your environment URL, e.g. https://contoso.crm.dynamics.com ' +
        '(or start with --sandbox, or set DATAVERSE_URL=sandbox, to try the server against the embedded emulator)',
    );
  }
  if (vars.CLIENT_SECRET) {
    if (!vars.CLIENT_ID)
      problems.push('CLIENT_SECRET turns on multi-user mode, which also needs CLIENT_ID (the app registration of this server)');
    if (transports.includes('stdio')) {
      problems.push(
        'CLIENT_SECRET turns on multi-user mode, which serves HTTP only: set MCP_TRANSPORT=http (or sse,http), or unset CLIENT_SECRET for single-user stdio',
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const authMode: AuthMode = sandbox
    ? 'sandbox'
    : vars.CLIENT_SECRET
      ? 'obo'
      : vars.DATAVERSE_ACCESS_TOKEN
        ? 'static'
        : vars.AUTH_FLOW === 'device-code'
          ? 'device-code'
          : 'interactive';
  const dataverseUrl = vars.DATAVERSE_URL && !sandbox ? normaliseDataverseUrl(vars.DATAVERSE_URL) : undefined;

  return {
    dataverseUrl,
    dataverseApiUrl: dataverseUrl ? `${dataverseUrl}/api/data/v9.2/` : undefined,
    clientId: vars.CLIENT_ID,
    tenantId: vars.TENANT_ID ?? 'common',
    authFlow: vars.AUTH_FLOW === 'device-code' ? 'device-code' : 'interactive',
    authMode,
    authRedirectHost: vars.AUTH_REDIRECT_HOST ?? '127.0.0.1',
    authRedirectPort: int(vars.AUTH_REDIRECT_PORT, 5577),
    tokenCacheDir: vars.TOKEN_CACHE_DIR ?? defaultTokenCacheDir(env),
    clientSecret: vars.CLIENT_SECRET,
    mcpBaseUrl: (vars.MCP_BASE_URL ?? 'http://localhost:8000').replace(/\/+$/, ''),
    dataverseAccessToken: vars.DATAVERSE_ACCESS_TOKEN,
    redisUrl: vars.REDIS_URL,
    transports,
    mcpHost: vars.MCP_HOST ?? '127.0.0.1',
    mcpPort: int(vars.MCP_PORT, 8199),
    allowedOrigins: (vars.MCP_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/$/, ''))
      .filter(Boolean),
    confirmTokenTtlSeconds: int(vars.CONFIRM_TOKEN_TTL_SECONDS, 120),
    cursorTtlSeconds: int(vars.CURSOR_TTL_SECONDS, 900),
    cacheTtl: {
      identitySeconds: int(vars.CACHE_TTL_IDENTITY_SECONDS, 86400),
      tablesSeconds: int(vars.CACHE_TTL_TABLES_SECONDS, 86400),
      schemaSeconds: int(vars.CACHE_TTL_SCHEMA_SECONDS, 3600),
    },
    toolsets: parseToolsets(vars.DATAVERSE_TOOLSETS),
    readOnly: bool(vars.DATAVERSE_READ_ONLY, false),
    allowDelete: bool(vars.DATAVERSE_ALLOW_DELETE, true),
    ...tableScopeOf(vars.DATAVERSE_TABLES, vars.DATAVERSE_EXCLUDE_TABLES),
    logLevel: (vars.LOG_LEVEL ?? 'info') as LogLevel,
    sandbox,
    sandboxDataFile: cli.dataFile,
    ...(cli.noSearch ? { sandboxSearchDisabled: true } : {}),
  };
}
