import { TOOLSETS } from './app-config';
import { ConfigError, loadConfig } from './load-config';

const URL_OK = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('DATAVERSE_TOOLSETS', () => {
  it('should list every toolset when the variable is unset, empty or all', () => {
    for (const value of [undefined, '', 'all', ' ALL ', 'records,all']) {
      expect(loadConfig({ ...URL_OK, DATAVERSE_TOOLSETS: value }).toolsets).toEqual([...TOOLSETS]);
    }
    expect(TOOLSETS).toEqual(['records', 'query', 'write', 'delete', 'history']);
  });

  it('should keep the named sets in their fixed order, case and spaces aside', () => {
    expect(loadConfig({ ...URL_OK, DATAVERSE_TOOLSETS: ' History, records ,Query,records' }).toolsets).toEqual([
      'records',
      'query',
      'history',
    ]);
  });

  it('should name the unknown sets and every valid one when a name is wrong, beside the other bad variables', () => {
    const problems = problemsOf({ ...URL_OK, DATAVERSE_TOOLSETS: 'records,reads,Writes', MCP_PORT: '0' });

    expect(problems).toHaveLength(2);
    expect(problems).toContain(
      'DATAVERSE_TOOLSETS must be a comma-separated list of all, records, query, write, delete, history (default all); unknown: "reads", "writes"',
    );
  });

  it('should refuse a list without a name', () => {
    expect(problemsOf({ ...URL_OK, DATAVERSE_TOOLSETS: ' , ' })).toEqual([
      'DATAVERSE_TOOLSETS must be a comma-separated list of all, records, query, write, delete, history (default all); got ","',
    ]);
  });
});
