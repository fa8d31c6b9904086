import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, connectHttp, connectSse, connectStdio } from '../support/mcp-clients';
import { MAIN, runToExit, serverEnv, SpawnedServer, spawnHttpServer, stopProcess } from '../support/server-process';

/** Static-token mode needs no network for the sign-in tools, so every transport can be exercised offline. */
const STATIC_ENV = { DATAVERSE_URL: 'https://contoso.crm.dynamics.com', DATAVERSE_ACCESS_TOKEN: 'static-test-token' };

async function expectWorkingSession(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toContain('sign_in');
  expect(client.getInstructions()).toContain('confirm_delete_record only after the user explicitly says yes');
  const result = await callTool(client, 'sign_in');
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toMatchObject({ status: 'not_needed' });
}

describe('stdio transport', () => {
  it('should list and call tools when the real SDK client spawns the server', async () => {
    const { client } = await connectStdio(STATIC_ENV);
    try {
      await expectWorkingSession(client);
    } finally {
      await client.close();
    }
  });

  it('should write only JSON-RPC to stdout and JSON logs to stderr when driven by hand', async () => {
    const proc = spawn(process.execPath, [MAIN], {
      env: serverEnv({ ...STATIC_ENV, LOG_LEVEL: 'debug' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const send = (msg: object) => proc.stdin.write(JSON.stringify(msg) + '\n');
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'sign_in', arguments: {} } });
    const deadline = Date.now() + 15000;
    while (!stdout.includes('"id":3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    proc.stdin.end();
    const { ms } = await new Promise<{ ms: number }>((resolve) => {
      const started = Date.now();
      proc.once('exit', () => resolve({ ms: Date.now() - started }));
    });

    const lines = stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    const logLines = stderr.split('\n').filter((l) => l.length > 0);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
    expect(stderr).not.toContain('static-test-token');
    // stdin end is a shutdown signal in stdio mode (issue: within 5 s).
    expect(ms).toBeLessThan(5000);
    expect(proc.exitCode).toBe(0);
  });
});

describe('HTTP transports', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnHttpServer({ ...STATIC_ENV, MCP_ALLOWED_ORIGINS: 'https://trusted.example.com' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('should list and call tools over SSE when Claude Code connects with --transport sse', async () => {
    const client = await connectSse(server.url);
    try {
      await expectWorkingSession(client);
    } finally {
      await client.close();
    }
  });

  it('should list and call tools over Streamable HTTP when a client connects to /mcp', async () => {
    const client = await connectHttp(server.url);
    try {
      await expectWorkingSession(client);
    } finally {
      await client.close();
    }
  });

  it.each([
    ['GET', '/sse'],
    ['POST', '/messages?sessionId=x'],
    ['POST', '/mcp'],
    ['GET', '/mcp'],
  ])('should answer 403 to %s %s when the Origin is foreign', async (method, path) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Origin: 'https://evil.example.com', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: method === 'POST' ? '{}' : undefined,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('MCP_ALLOWED_ORIGINS');
  });

  it('should accept an Origin when MCP_ALLOWED_ORIGINS lists it', async () => {
    const client = await connectHttp(server.url, { Origin: 'https://trusted.example.com' });
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it('should answer 403 when a rebound Host header names a foreign host', async () => {
    const port = new URL(server.url).port;
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /mcp HTTP/1.1\r\nHost: evil.example.com:${port}\r\nOrigin: http://evil.example.com:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('end', () => resolve(data.split('\r\n')[0]));
      socket.on('error', reject);
    });
    expect(status).toContain('403');
  });

  it('should answer /healthz and /readyz when the server runs', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('should listen on loopback only when MCP_HOST is not set', async () => {
    const port = Number(new URL(server.url).port);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    expect(server.stderr()).toContain(`"http":"http://127.0.0.1:${port}"`);
    if (external) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(port, external.address);
        socket.on('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
  });
});

describe('shutdown', () => {
  it('should exit within 5 s with code 0 when SIGTERM arrives while an SSE stream is open', async () => {
    const server = await spawnHttpServer(STATIC_ENV);
    const client = await connectSse(server.url);
    await client.listTools();
    const { code, ms } = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    await client.close().catch(() => undefined);
  });

  it('should exit within 5 s with code 0 when SIGINT arrives', async () => {
    const server = await spawnHttpServer(STATIC_ENV);
    const { code, ms } = await stopProcess(server.proc, 'SIGINT');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });
});

describe('configuration errors', () => {
  it('should exit 1 with one message naming every invalid variable when the configuration is bad', async () => {
    const { code, stdout, stderr } = await runToExit({ DATAVERSE_URL: 'http://contoso.example.com', MCP_PORT: '0', LOG_LEVEL: 'chatty' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('Invalid configuration (3 problems)');
    expect(stderr).toContain('DATAVERSE_URL');
    expect(stderr).toContain('MCP_PORT');
    expect(stderr).toContain('LOG_LEVEL');
  });

  it('should print usage to stderr when --help is given', async () => {
    const { code, stdout, stderr } = await runToExit({}, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('--sandbox');
  });
});
