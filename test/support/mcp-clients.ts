import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MAIN, serverEnv } from './server-process';

export function newClient(): Client {
  return new Client({ name: 'dataverse-mcp-tests', version: '1.0.0' });
}

/** The real SDK client over stdio: it spawns `node dist/main.js` itself. */
export async function connectStdio(
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, ...args],
    env: serverEnv(env) as Record<string, string>,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d) => (err += d));
  const client = newClient();
  await client.connect(transport);
  return { client, stderr: () => err };
}

export async function connectSse(baseUrl: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = newClient();
  await client.connect(
    new SSEClientTransport(new URL(`${baseUrl}/sse`), {
      requestInit: { headers },
      eventSourceInit: { fetch: (u, i) => fetch(u, { ...i, headers: { ...(i?.headers as Record<string, string>), ...headers } }) },
    }),
  );
  return client;
}

export async function connectHttp(baseUrl: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }));
  return client;
}

/** Calls a tool and returns its result with the text joined, for assertions. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult & { text: string }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  return { ...result, text };
}
