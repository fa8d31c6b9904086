import { ConfigError, loadConfig, normaliseDataverseUrl, parseArgs } from './load-config';

const URL_OK = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com' };

function problemsOf(env: NodeJS.ProcessEnv, argv: string[] = []): string[] {
  try {
    loadConfig(env, parseArgs(argv));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('should apply the documented defaults when only DATAVERSE_URL is set', () => {
    const config = loadConfig(URL_OK);
    expect(config).toMatchObject({
      dataverseUrl: 'https://contoso.crm.dynamics.com',
      dataverseApiUrl: 'https://contoso.crm.dynamics.com/api/data/v9.2/',
      tenantId: 'common',
      authFlow: 'interactive',
      authMode: 'interactive',
      authRedirectHost: '127.0.0.1',
      authRedirectPort: 5577,
      mcpBaseUrl: 'http://localhost:8000',
      transports: ['stdio'],
      mcpHost: '127.0.0.1',
      mcpPort: 8199,
      allowedOrigins: [],
      confirmTokenTtlSeconds: 120,
      cursorTtlSeconds: 900,
      cacheTtl: { identitySeconds: 86400, tablesSeconds: 86400, schemaSeconds: 3600 },
      readOnly: false,
      allowDelete: true,
      logLevel: 'info',
      sandbox: false,
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.tokenCacheDir).toMatch(/dataverse-mcp$/);
  });

  it('should name every invalid variable in one message when several are wrong', () => {
    const problems = problemsOf({
      DATAVERSE_URL: 'ftp://contoso',
      MCP_PORT: '70000',
      AUTH_REDIRECT_PORT: 'abc',
      MCP_TRANSPORT: 'websocket',
      LOG_LEVEL: 'loud',
      DATAVERSE_READ_ONLY: 'maybe',
      CACHE_TTL_SCHEMA_SECONDS: '0',
      CLIENT_ID: 'not-a-guid',
      REDIS_URL: 'http://user:hunter2@redis:6379',
      MCP_ALLOWED_ORIGINS: 'https://ok.example.com,not an origin',
    });
    const text = problems.join('\n');
    for (const name of [
      'DATAVERSE_URL',
      'MCP_PORT',
      'AUTH_REDIRECT_PORT',
      'MCP_TRANSPORT',
      'LOG_LEVEL',
      'DATAVERSE_READ_ONLY',
      'CACHE_TTL_SCHEMA_SECONDS',
      'CLIENT_ID',
      'REDIS_URL',
      'MCP_ALLOWED_ORIGINS',
    ]) {
      expect(text).toContain(name);
    }
    expect(problems).toHaveLength(10);
    expect(text).not.toContain('hunter2');
  });

  it('should require DATAVERSE_URL and point to --sandbox when it is missing outside the sandbox', () => {
    const [problem] = problemsOf({});
    expect(problem).toContain('DATAVERSE_URL is required');
    expect(problem).toContain('--sandbox');
  });

  it('should reject plain http when the host is not loopback', () => {
    expect(problemsOf({ DATAVERSE_URL: 'http://contoso.crm.dynamics.com' })[0]).toContain('https');
  });

  it('should accept http when the host is loopback', () => {
    expect(loadConfig({ DATAVERSE_URL: 'http://127.0.0.1:1234' }).dataverseUrl).toBe('http://127.0.0.1:1234');
    expect(loadConfig({ DATAVERSE_URL: 'http://localhost:1234/' }).dataverseUrl).toBe('http://localhost:1234');
  });

  it.each([
    ['https://contoso.crm4.dynamics.com/', 'https://contoso.crm4.dynamics.com'],
    ['https://contoso.crm11.dynamics.com/api/data/v9.2', 'https://contoso.crm11.dynamics.com'],
    ['https://contoso.api.crm.dynamics.com/api/data/v9.2/', 'https://contoso.api.crm.dynamics.com'],
    ['https://Contoso.CRM.dynamics.com//', 'https://contoso.crm.dynamics.com'],
  ])('should normalise %s when it has a suffix or trailing slash', (input, expected) => {
    expect(normaliseDataverseUrl(input)).toBe(expected);
    expect(loadConfig({ DATAVERSE_URL: input }).dataverseApiUrl).toBe(`${expected}/api/data/v9.2/`);
  });

  it('should refuse stdio when CLIENT_SECRET turns on multi-user mode', () => {
    const problems = problemsOf({ ...URL_OK, CLIENT_SECRET: 's3cret', CLIENT_ID: '11111111-2222-3333-4444-555555555555' });
    expect(problems.join()).toContain('MCP_TRANSPORT=http');
  });

  it('should select the on-behalf-of mode when CLIENT_SECRET is set with an HTTP transport', () => {
    const config = loadConfig({
      ...URL_OK,
      CLIENT_SECRET: 's3cret',
      CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      MCP_TRANSPORT: 'http',
    });
    expect(config.authMode).toBe('obo');
  });

  it('should select static mode when DATAVERSE_ACCESS_TOKEN is set', () => {
    expect(loadConfig({ ...URL_OK, DATAVERSE_ACCESS_TOKEN: 'eyJ0eXAi.abc.def' }).authMode).toBe('static');
  });

  it('should parse both transports when MCP_TRANSPORT is sse,http', () => {
    expect(loadConfig({ ...URL_OK, MCP_TRANSPORT: 'sse, http' }).transports).toEqual(['sse', 'http']);
  });

  it('should let --transport override MCP_TRANSPORT and name the flag when it is wrong', () => {
    expect(loadConfig({ ...URL_OK, MCP_TRANSPORT: 'stdio' }, parseArgs(['--transport', 'http'])).transports).toEqual(['http']);
    expect(problemsOf(URL_OK, ['--transport=carrier-pigeon'])[0]).toContain('--transport');
  });

  it('should run the sandbox when DATAVERSE_URL is "sandbox" (launchers that pass no arguments)', () => {
    const config = loadConfig({ DATAVERSE_URL: 'Sandbox' }, parseArgs([]));
    expect(config).toMatchObject({ sandbox: true, authMode: 'sandbox', dataverseUrl: undefined });
  });

  it('should run without DATAVERSE_URL when --sandbox is given', () => {
    const config = loadConfig({}, parseArgs(['--sandbox']));
    expect(config).toMatchObject({ sandbox: true, authMode: 'sandbox', dataverseUrl: undefined });
  });

  it('should treat an empty value as unset when an env file has FOO=', () => {
    expect(loadConfig({ ...URL_OK, MCP_PORT: '', REDIS_URL: '  ' })).toMatchObject({ mcpPort: 8199, redisUrl: undefined });
  });

  it('should parse booleans, origins and numbers when they are valid', () => {
    const config = loadConfig({
      ...URL_OK,
      DATAVERSE_READ_ONLY: 'TRUE',
      DATAVERSE_ALLOW_DELETE: 'no',
      MCP_ALLOWED_ORIGINS: 'https://a.example.com, http://localhost:3000/',
      CONFIRM_TOKEN_TTL_SECONDS: '5',
      TENANT_ID: 'contoso.onmicrosoft.com',
    });
    expect(config).toMatchObject({
      readOnly: true,
      allowDelete: false,
      allowedOrigins: ['https://a.example.com', 'http://localhost:3000'],
      confirmTokenTtlSeconds: 5,
      tenantId: 'contoso.onmicrosoft.com',
    });
  });
});

describe('parseArgs', () => {
  it('should reject an unknown argument when one is given', () => {
    expect(() => parseArgs(['--sandbx'])).toThrow(/unknown argument "--sandbx"/);
  });

  it('should reject --data when it is used without --sandbox', () => {
    expect(() => parseArgs(['--data', 'x.json'])).toThrow(/--data only applies together with --sandbox/);
  });
});
