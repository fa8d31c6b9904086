import { ChildProcess, spawn } from 'node:child_process';
import { startEmulator, EmulatorHandle } from '../../src/sandbox';
import { connectSse, connectStdio } from '../support/mcp-clients';
import { MAIN, serverEnv, SpawnedServer, spawnHttpServer } from '../support/server-process';

const INIT = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } };

/** A stdio server driven line by line: what goes in and what comes out, byte for byte. */
class RawStdio {
  private out = '';
  private err = '';
  private readonly waiters: Array<() => void> = [];

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d) => {
      this.out += d;
      for (const w of this.waiters.splice(0)) w();
    });
    proc.stderr!.on('data', (d) => (this.err += d));
  }

  send(message: unknown | string): void {
    this.proc.stdin!.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  /** The next answer line with this id (raw text). */
  async answer(id: number, timeoutMs = 10000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.out.split('\n').find((l) => l.startsWith('{') && (JSON.parse(l) as { id?: unknown }).id === id);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no answer ${id}; stdout: ${this.out.slice(-500)} stderr: ${this.err.slice(-500)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  lines(): string[] {
    return this.out.split('\n').filter(Boolean);
  }

  stderr(): string {
    return this.err;
  }
}

/**
 * Over stdio the SDK's MCP server keeps the session (initialize, notifications, elicitation) while plain tool calls and
 * lists are answered by the shared dispatcher straight from the transport: these pin that both routes answer alike,
 * that the list is the one SSE gives, and that unreadable input is dropped without ending the session.
 */
describe('stdio session', () => {
  let emulator: EmulatorHandle;
  let raw: RawStdio;

  beforeAll(async () => {
    emulator = await startEmulator();
    const proc = spawn(process.execPath, [MAIN], {
      env: serverEnv({ DATAVERSE_URL: emulator.url, DATAVERSE_ACCESS_TOKEN: emulator.issueToken() }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    raw = new RawStdio(proc);
    raw.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT });
    await raw.answer(1);
    raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  afterAll(async () => {
    raw?.proc.kill();
    await emulator?.close();
  });

  it('should answer a plain call and the same call with a progress token (through the SDK) with the same result', async () => {
    const params = { name: 'get_table_schema', arguments: { table: 'contact' } };
    raw.send({ jsonrpc: '2.0', id: 10, method: 'tools/call', params });
    raw.send({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { ...params, _meta: { progressToken: 'p' } } });
    raw.send({ jsonrpc: '2.0', id: 12, method: 'tools/call', params });
    const [plain, viaSdk, again] = await Promise.all([raw.answer(10), raw.answer(11), raw.answer(12)]);

    expect(JSON.parse(plain).result.structuredContent.logicalName).toBe('contact');
    expect(viaSdk.replace('"id":11', '"id":10')).toBe(plain);
    // The second plain call is written from the answer's JSON kept with the cached schema: the same bytes.
    expect(again.replace('"id":12', '"id":10')).toBe(plain);
  });

  it('should answer errors with the codes and words of the SDK server', async () => {
    raw.send({ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
    raw.send({ jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'list_records', arguments: { table: 5 } } });
    raw.send({ jsonrpc: '2.0', id: 22, method: 'resources/list' });

    expect(JSON.parse(await raw.answer(20))).toEqual({
      jsonrpc: '2.0',
      id: 20,
      error: { code: -32601, message: 'MCP error -32601: Unknown tool: no_such_tool' },
    });
    const invalid = JSON.parse(await raw.answer(21)).result;
    expect(invalid.isError).toBe(true);
    expect(invalid.content[0].text).toMatch(/^Invalid parameters: \[table\]: /);
    expect(JSON.parse(await raw.answer(22)).error).toEqual({ code: -32601, message: 'Method not found' });
  });

  it('should drop a line that is not JSON-RPC, saying so without quoting it, and answer the next one', async () => {
    const before = raw.lines().length;
    raw.send('{"secret-looking": "contoso-value"');
    raw.send({ jsonrpc: '2.0', id: 30, method: 'ping' });

    expect(JSON.parse(await raw.answer(30))).toEqual({ jsonrpc: '2.0', id: 30, result: {} });
    expect(raw.lines().length).toBe(before + 1);
    // stderr is another pipe: its line can reach this process after the answer on stdout.
    for (let i = 0; i < 100 && !raw.stderr().includes('was not valid JSON-RPC'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(raw.stderr()).toContain('was not valid JSON-RPC');
    expect(raw.stderr()).not.toContain('contoso-value');
  });
});

describe('stdio tool list', () => {
  let server: SpawnedServer;
  const env = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'static-test-token' };

  beforeAll(async () => {
    server = await spawnHttpServer({ ...env, MCP_TRANSPORT: 'sse' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('should list the tools and describe the server exactly as the SDK server does over SSE', async () => {
    const { client: stdio } = await connectStdio(env);
    const sse = await connectSse(server.url);
    try {
      expect(stdio.getServerVersion()).toEqual(sse.getServerVersion());
      expect(stdio.getServerCapabilities()).toEqual(sse.getServerCapabilities());
      expect(stdio.getInstructions()).toEqual(sse.getInstructions());
      const [overStdio, overSse] = await Promise.all([stdio.listTools(), sse.listTools()]);
      expect(overStdio.tools.length).toBeGreaterThan(10);
      expect(JSON.stringify(overStdio)).toBe(JSON.stringify(overSse));
    } finally {
      await stdio.close();
      await sse.close();
    }
  });
});
