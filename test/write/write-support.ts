import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, type EmulatorHandle } from '../../src/sandbox';
import { MAIN, serverEnv } from '../support/server-process';

export { callTool } from '../support/mcp-clients';

export interface StdioSession {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Declare the elicitation capability and answer every elicitation/create with this handler. */
  elicit?: (message: string) => ElicitResult | Promise<ElicitResult>;
}

/** The real SDK client over stdio, spawning the built server against the emulator. */
export async function connectServer(env: Record<string, string | undefined>, options: ConnectOptions = {}): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN],
    env: serverEnv(env) as Record<string, string>,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d) => (err += d));
  const client = new Client(
    { name: 'dataverse-mcp-write-tests', version: '1.0.0' },
    { capabilities: options.elicit ? { elicitation: {} } : {} },
  );
  if (options.elicit) {
    const handler = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, async (request) => handler(String(request.params.message)));
  }
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

/** Environment of a server pointed at the emulator with a token for `userId` (default: the sandbox user). */
export function emulatorEnv(
  emulator: EmulatorHandle,
  extra: Record<string, string | undefined> = {},
  userId?: string,
): Record<string, string | undefined> {
  return {
    DATAVERSE_URL: emulator.url,
    DATAVERSE_ACCESS_TOKEN: emulator.issueToken(userId),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export { startEmulator };
export type { EmulatorHandle };

/** Audit events the server wrote to stderr (JSON lines with `audit: true`). */
export function auditEvents(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((l) => l.includes('"audit":true'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
