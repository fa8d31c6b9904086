// The MCP Bundle manifest (manifest_version 0.3) for Claude Desktop's one-click install. The tools list comes from
// the built server's own tools/list, so it cannot drift from the code.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs `dist/main.js` over stdio once and returns its tools as `{name, description}` (first sentence). */
export function builtTools(root) {
  const messages = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pack', version: '1' } },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  ];
  const run = spawnSync(process.execPath, [join(root, 'dist', 'main.js')], {
    input: messages.map((m) => JSON.stringify(m)).join('\n') + '\n',
    env: { PATH: process.env.PATH, DATAVERSE_URL: 'https://pack.crm.dynamics.com', LOG_LEVEL: 'silent' },
    timeout: 60000,
    encoding: 'utf8',
  });
  const line = run.stdout.split('\n').find((l) => l.includes('"id":2'));
  if (!line) throw new Error(`the built server did not answer tools/list:\n${run.stderr}`);
  const tools = JSON.parse(line).result.tools;
  return tools.map((t) => ({ name: t.name, description: firstSentence(t.description ?? '') }));
}

function firstSentence(text) {
  const end = text.search(/\.(\s|$)/);
  return (end > 0 ? text.slice(0, end + 1) : text).slice(0, 200);
}

export function manifest({ version, description, license, tools }) {
  return {
    manifest_version: '0.3',
    name: 'dataverse-mcp',
    display_name: 'Dataverse',
    version,
    description,
    long_description:
      'Works with everyday Microsoft Dataverse records signed in as you: find tables and their fields, list, read, create and ' +
      'update records, and delete them only after a summary you confirm. Leave the URL as "sandbox" for a first try against ' +
      'a built-in emulated Dataverse with sample data; for your own environment enter its URL and the Entra app ' +
      '(client) id, and sign in through the link the sign_in tool gives.',
    author: { name: 'dataverse-mcp contributors' },
    license,
    keywords: ['dataverse', 'dynamics 365', 'power platform', 'crm'],
    icon: 'icon.png',
    icons: [{ src: 'icon.png', size: '512x512' }],
    server: {
      type: 'node',
      entry_point: 'dist/main.js',
      mcp_config: {
        command: 'node',
        args: ['${__dirname}/dist/main.js'],
        // Optional settings have defaults: a setting without one would reach the server as the literal placeholder.
        env: {
          DATAVERSE_URL: '${user_config.dataverse_url}',
          CLIENT_ID: '${user_config.client_id}',
          TENANT_ID: '${user_config.tenant_id}',
          DATAVERSE_READ_ONLY: '${user_config.read_only}',
          DATAVERSE_TABLES: '${user_config.tables}',
          DATAVERSE_TOOLSETS: '${user_config.toolsets}',
        },
      },
    },
    tools,
    tools_generated: false,
    compatibility: { platforms: ['darwin', 'win32', 'linux'], runtimes: { node: '>=20.19' } },
    user_config: {
      dataverse_url: {
        type: 'string',
        title: 'Dataverse URL',
        description:
          'Your environment URL, e.g. https://contoso.crm.dynamics.com, or "sandbox" to try the built-in sandbox with sample data.',
        required: true,
        default: 'sandbox',
      },
      client_id: {
        type: 'string',
        title: 'Application (client) ID',
        description: 'The Entra app registration used to sign in (not needed for the sandbox).',
        required: false,
        default: '',
      },
      tenant_id: {
        type: 'string',
        title: 'Directory (tenant) ID',
        description: 'Your tenant id or domain; "common" lets any work account sign in.',
        required: false,
        default: 'common',
      },
      read_only: {
        type: 'boolean',
        title: 'Read-only',
        description: 'Offer only the tools that read: no creating, updating or deleting.',
        required: false,
        default: false,
      },
      tables: {
        type: 'string',
        title: 'Tables',
        description: 'Comma-separated logical names of the only tables the assistant may use (empty: every business table).',
        required: false,
        default: '',
      },
      toolsets: {
        type: 'string',
        title: 'Toolsets',
        description: 'Comma-separated: all, or some of records, query, write, delete, history (fewer tools, less context used).',
        required: false,
        default: 'all',
      },
    },
  };
}
